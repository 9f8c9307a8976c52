using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Firn.Failures;
using Firn.Meters;
using Firn.Serialization;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Channels;

/// <summary>
/// This process's channels by name and by id. The first <see cref="Get{T}"/> of a name opens it at the
/// router (which fixes or checks its message type); later calls return the same <see cref="Channel{T}"/>.
/// It also owns the app's <see cref="Serializer"/>, which resolves channels inside messages against it.
/// </summary>
internal sealed class ChannelRegistry
{
    private readonly ConcurrentDictionary<string, (object Channel, ChannelEndpoint Endpoint)> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, ChannelEndpoint> _byId = new();
    private readonly Lock _openLock = new();
    private readonly IFirnSerializer _serializer;
    private readonly MessageSizeLimit _maxMessageSize;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeSpan _openTimeout;
    private IRouterLink? _link;

    public ChannelRegistry(IFirnSerializer serializer, MessageSizeLimit maxMessageSize, ILoggerFactory loggerFactory, TimeSpan openTimeout, long sendBudget, FirnMetrics? metrics = null)
    {
        Metrics = metrics ?? FirnMetrics.Disabled;
        Budget = new SendBudget(sendBudget);
        _serializer = new AppSerializer(serializer, this);
        _maxMessageSize = maxMessageSize;
        _loggerFactory = loggerFactory;
        _openTimeout = openTimeout;
    }

    /// <summary>The app's serializer: the configured one, with this registry in scope while reading (see <see cref="AppSerializer"/>).</summary>
    public IFirnSerializer Serializer => _serializer;

    /// <summary>This process's instruments, which its channels record on.</summary>
    public FirnMetrics Metrics { get; }

    /// <summary>The bytes of this process's messages waiting in the router, across its channels.</summary>
    public SendBudget Budget { get; }

    /// <summary>The channels this process has opened.</summary>
    public ICollection<ChannelEndpoint> Endpoints => _byId.Values;

    /// <summary>Connects the registry to the router; channels cannot be opened before.</summary>
    public void Bind(IRouterLink link) => _link = link;

    /// <summary>Returns the channel, opening (and, if nobody has, creating) it on first use in this process.</summary>
    public Channel<T> Get<T>(string name, ChannelOptions? options) => Open<T>(name, options, create: true)!;

    /// <summary>Returns the channel if some process opened or registered it; never creates it.</summary>
    public bool TryGet<T>(string name, [NotNullWhen(true)] out Channel<T>? channel)
    {
        channel = Open<T>(name, null, create: false);
        return channel is not null;
    }

    /// <summary>Every channel of the app, from the router (a round trip in a child).</summary>
    public ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken) => RequireLink().ListAsync(cancellationToken);

    private Channel<T>? Open<T>(string name, ChannelOptions? options, bool create)
    {
        ChannelNames.Validate(name);
        if (_byName.TryGetValue(name, out var existing))
        {
            return Cast<T>(name, existing);
        }

        var link = RequireLink();

        // Opening is rare and may wait for a round trip; one lock keeps two threads from opening one name twice.
        lock (_openLock)
        {
            if (_byName.TryGetValue(name, out existing))
            {
                return Cast<T>(name, existing);
            }

            // GetChannel and TryGetChannel are synchronous: in a child, this is the one place that waits for a reply.
            var opening = link.OpenAsync(name, TypeNames.Of(typeof(T)), create, _openTimeout);
            var opened = opening.IsCompletedSuccessfully ? opening.Result : opening.AsTask().GetAwaiter().GetResult();
            if (opened is not { } binding)
            {
                return null;
            }

            var endpoint = new ChannelEndpoint(name, typeof(T), binding, options ?? ChannelOptions.Default, link, Budget, Metrics);
            var channel = new Channel<T>(endpoint, _serializer, _maxMessageSize, _loggerFactory.CreateLogger("Firn.Channels"));
            if (binding.IsClosed)
            {
                endpoint.OnClosed("it was closed before this process opened it");
            }

            _byId[binding.ChannelId] = endpoint;
            _byName[name] = (channel, endpoint);
            return channel;
        }
    }

    private IRouterLink RequireLink() => _link ?? throw new InvalidOperationException(
        "Channels are not available yet: in a child, use them from its entry (once it has connected to the main process).");

    public ChannelEndpoint? FindById(uint channelId) => _byId.GetValueOrDefault(channelId);

    /// <summary>
    /// Shutting down: passive handlers finish the message in hand and take no more, then every consumed
    /// message is acknowledged, so the router redelivers only what this process never consumed.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var loops = _byId.Values.Select(endpoint => endpoint.DrainAsync()).ToArray();
        await Task.WhenAny(Task.WhenAll(loops), Task.Delay(timeout)).ConfigureAwait(false);
        foreach (var endpoint in _byId.Values)
        {
            endpoint.FlushAcks();
        }
    }

    /// <summary>The connection to the main process is lost: every channel is closed, and one not closed before fails with the disconnect from now on.</summary>
    public void Disconnect(DisconnectReason reason)
    {
        foreach (var endpoint in _byId.Values)
        {
            endpoint.OnDisconnected(reason);
        }
    }

    private static Channel<T> Cast<T>(string name, (object Channel, ChannelEndpoint Endpoint) existing) =>
        existing.Channel as Channel<T> ?? throw FirnErrors.ChannelTypeMismatch(name, TypeNames.Of(existing.Endpoint.MessageType), TypeNames.Of(typeof(T)));
}
