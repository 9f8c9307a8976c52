using Firn.Channels;

namespace Firn;

/// <summary>
/// One channel as the main process's router sees it; returned by <see cref="FirnApp.GetChannelsAsync"/>. On a shared
/// backend, <see cref="FirnSupervisor.GetChannels"/> merges every host's view of a channel: its members from every host
/// (each with its <see cref="ChannelMemberInfo.Host"/>), <see cref="Queued"/> and <see cref="Unconsumed"/> summed over the
/// hosts, and <see cref="IsClosed"/> when any host closed it.
/// </summary>
/// <param name="Name">The channel's name.</param>
/// <param name="TypeName">The message type fixed by its first use, written as in errors (<c>System.Collections.Generic.List&lt;System.String&gt;</c>).</param>
/// <param name="Members">The processes that opened the channel, by name, with the receive mode each uses on it.</param>
/// <param name="Queued">Messages waiting in the main process for a receiver.</param>
/// <param name="Unconsumed">Messages delivered to receivers and not yet consumed (acknowledgements are batched, so this may lag a little behind).</param>
/// <param name="IsClosed">Whether the channel was closed.</param>
public sealed record ChannelInfo(string Name, string TypeName, IReadOnlyList<ChannelMemberInfo> Members, int Queued, int Unconsumed, bool IsClosed);

/// <summary>A process that opened a channel.</summary>
/// <param name="ProcessName">The process's name.</param>
/// <param name="Mode">How it receives on the channel: <see cref="ReceiveMode.None"/> if it only sends (or has not received yet).</param>
public sealed record ChannelMemberInfo(string ProcessName, ReceiveMode Mode)
{
    /// <summary>
    /// The host (main process on a shared backend) of the member process, when the app is on one (Firn.Redis's
    /// <c>UseRedis</c>); <see langword="null"/> otherwise, and in a child's <see cref="FirnApp.GetChannelsAsync"/>.
    /// </summary>
    public string? Host { get; init; }
}
