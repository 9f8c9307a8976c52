namespace Firn.Channels;

/// <summary>The router's answer to opening a channel.</summary>
/// <param name="ChannelId">The channel's id, the same in every process.</param>
/// <param name="SendWindow">How many messages this process may have buffered in the router on this channel.</param>
/// <param name="IsClosed">Whether the channel was already closed.</param>
internal readonly record struct ChannelBinding(uint ChannelId, int SendWindow, bool IsClosed);

/// <summary>
/// How a process's channel endpoints reach the router: a direct call in the main process,
/// frames over the socket in a child. Nothing here blocks.
/// </summary>
internal interface IRouterLink
{
    /// <summary>The process's name, for error messages.</summary>
    string ProcessName { get; }

    /// <summary>
    /// Opens a channel by name and message type, creating it if <paramref name="create"/>; completes with <see langword="null"/>
    /// if it does not exist and may not be created. Fails with <see cref="ChannelTypeMismatchException"/> on a type clash,
    /// <see cref="FirnDisconnectedException"/> if the main process cannot be reached, <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// In the main process it completes at once.
    /// </summary>
    ValueTask<ChannelBinding?> OpenAsync(string name, string typeName, bool create, TimeSpan timeout);

    /// <summary>Sends one serialized message; the caller has already taken a send credit. Throws <see cref="FirnDisconnectedException"/> if the main process cannot be reached.</summary>
    void Send(uint channelId, ReadOnlySpan<byte> payload);

    /// <summary>Makes this process a receiver of the channel with <paramref name="window"/> buffer slots, in <paramref name="mode"/>.</summary>
    void Attach(uint channelId, int window, ReceiveMode mode);

    /// <summary>Frees <paramref name="count"/> buffer slots after messages were consumed.</summary>
    void Ack(uint channelId, int count);

    /// <summary>Closes the channel for every process.</summary>
    void Close(uint channelId);

    /// <summary>Every channel of the app, as the router sees it.</summary>
    ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken);
}
