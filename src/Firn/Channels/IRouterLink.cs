namespace Firn.Channels;

/// <summary>The router's answer to opening a channel.</summary>
/// <param name="ChannelId">The channel's id, the same in every process.</param>
/// <param name="SendWindow">How many messages this process may have buffered in the router on this channel.</param>
/// <param name="IsClosed">Whether the channel was already closed.</param>
internal readonly record struct ChannelBinding(uint ChannelId, int SendWindow, bool IsClosed);

/// <summary>
/// How a process's channel endpoints reach the router, the place that owns every channel's state (members, queues,
/// credits): <c>LocalRouterLink</c> calls the router in the main process directly; <c>RemoteRouterLink</c> sends a
/// child's operations to it as frames. A router for several machines (Redis, say) would be a third implementation of
/// this contract.
/// </summary>
/// <remarks>
/// What an implementation must guarantee:
/// <list type="bullet">
/// <item>Nothing blocks (<see cref="OpenAsync"/> and <see cref="ListAsync"/> complete when the router answers): the rest only enqueue, so they may be
/// called on any thread, under an endpoint's lock, on a hot path (<see cref="Send"/> allocates nothing in a child).</item>
/// <item>The operations of one process reach the router in the order they were made: messages of one channel in the
/// order they were sent, and a close after them. Acknowledgements may be merged with later ones and go out with the
/// next write.</item>
/// <item>The way back reaches this process's <see cref="ChannelRegistry"/>: deliveries in the order the router hands
/// them out, a send credit and the bytes released for every message of this process that left the router, closings.</item>
/// <item>When the router cannot be reached (the connection to the main process is lost), every channel of the process
/// closes (<see cref="ChannelRegistry.Disconnect"/>), opens and listings still waiting fail with <see cref="FirnDisconnectedException"/>, and so do later sends.</item>
/// </list>
/// </remarks>
internal interface IRouterLink
{
    /// <summary>The process's name, for error messages.</summary>
    string ProcessName { get; }

    /// <summary>Whether messages sent through this link may carry trace context (the connection agreed on "trace-context").</summary>
    bool CarriesTraceContext { get; }

    /// <summary>
    /// Opens a channel by name and message type, creating it if <paramref name="create"/>; completes with <see langword="null"/>
    /// if it does not exist and may not be created. Fails with <see cref="ChannelTypeMismatchException"/> on a type clash,
    /// <see cref="FirnDisconnectedException"/> if the main process cannot be reached, <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// In the main process it completes at once.
    /// </summary>
    ValueTask<ChannelBinding?> OpenAsync(string name, string typeName, bool create, TimeSpan timeout);

    /// <summary>Sends one serialized message; the caller has already taken a send credit and counted its bytes in the <see cref="SendBudget"/>. Throws <see cref="FirnDisconnectedException"/> if the main process cannot be reached.</summary>
    void Send(uint channelId, ReadOnlySpan<byte> payload);

    /// <summary>Makes this process a receiver of the channel with <paramref name="window"/> buffer slots, in <paramref name="mode"/>.</summary>
    void Attach(uint channelId, int window, ReceiveMode mode);

    /// <summary>Frees <paramref name="count"/> buffer slots after messages were consumed.</summary>
    void Ack(uint channelId, int count);

    /// <summary>Closes the channel for every process.</summary>
    void Close(uint channelId);

    /// <summary>
    /// Every channel of the app, as the router sees it. In a child: <see cref="TimeoutException"/> after
    /// <see cref="FirnAppOptions.CallTimeout"/>, and <see cref="InvalidOperationException"/> when the list is over the
    /// message size limit or the connection is closed or lost.
    /// </summary>
    ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken);
}
