using System.Diagnostics.CodeAnalysis;
using Firn.Channels;
using Firn.Hosting;
using Firn.Routing;
using Firn.Serialization;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>The channel registry: register, look up and list channels from any process.</content>
public sealed partial class FirnApp
{
    private LocalRouterLink? _localLink;

    /// <summary>
    /// The app's serializer: <see cref="FirnAppOptions.Serializer"/>, reading <see cref="Channel{T}"/> values inside
    /// messages as channels of this app. Every feature that deserializes user data goes through it.
    /// </summary>
    internal IFirnSerializer Serializer => _channels.Serializer;

    /// <summary>
    /// Returns the channel <paramref name="name"/> if some process has opened or registered it; unlike
    /// <see cref="GetChannel{T}"/>, it never creates one. In a child this may be a round trip to the main process.
    /// </summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="name">The channel's name.</param>
    /// <param name="channel">The channel, when the result is <see langword="true"/>.</param>
    /// <returns>Whether the channel exists.</returns>
    /// <exception cref="ChannelTypeMismatchException">The channel exists with another type; the message names both.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    public bool TryGetChannel<T>(string name, [NotNullWhen(true)] out Channel<T>? channel) => _channels.TryGet(name, out channel);

    /// <summary>The channel list as the main process sees it (its own router, merged with the other hosts' on a shared backend); see <see cref="FirnSupervisor.GetChannels"/>.</summary>
    internal IReadOnlyList<ChannelInfo> ListChannels() => HostViews.Channels(Router.List(), ProcessRegistry);

    /// <summary>
    /// Every channel of the app, ordered by name: its message type, the processes that opened it with their receive
    /// modes, how many messages wait for a receiver or were delivered and not consumed, and whether it is closed.
    /// In a child this is a round trip to the main process. On a shared backend (Firn.Redis's <c>UseRedis</c>) the main
    /// process's list merges every host's, as <see cref="FirnSupervisor.GetChannels"/> does; a child's lists its own host's.
    /// </summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>A snapshot.</returns>
    /// <exception cref="InvalidOperationException">In a child: the list is larger than <see cref="FirnAppOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public ValueTask<IReadOnlyList<ChannelInfo>> GetChannelsAsync(CancellationToken cancellationToken = default) =>
        _child is null && ProcessRegistry is not null ? ValueTask.FromResult(ListChannels()) : _channels.ListAsync(cancellationToken);

    /// <summary>The main process owns the router from the start, so its channels work before <see cref="StartAsync"/>.</summary>
    private void InitializeMainChannels()
    {
        _router = new Router(Options.ChannelSendWindow, ChannelOptions.MaxReceiveBufferSize, LoggerFactory.CreateLogger("Firn.Router"), Options.MaxChannelsPerProcess, Options.ConnectionBufferLimit, Metrics);
        Metrics.ObserveChannels(_router.Sample);
        _localLink = new LocalRouterLink(_router, _channels, ProcessName);
        _channels.Bind(_localLink);
    }
}
