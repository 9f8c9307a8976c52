namespace Firn.Routing;

/// <summary>
/// Where a main process's channels are shared with other main processes (Firn.Redis's Streams engine), or
/// <see langword="null"/> on <see cref="Router.Engine"/> for channels in this main process's memory alone. The router
/// keeps every local process's membership, windows and deliveries as before; a shared channel's messages go through
/// the engine on their way from a local sender to a receiver of any main process.
/// </summary>
/// <remarks>
/// A child's built-in channels (<c>{child}-active</c>, <c>{child}-passive</c>, opened by its handshake) stay local: they
/// name one child of one host.
/// </remarks>
internal interface IChannelEngine
{
    /// <summary>
    /// Fixes the channel's message type on the backend at its first use anywhere, or returns the type and state it has
    /// there; <see langword="null"/> when it does not exist and <paramref name="create"/> is false. Fails with an
    /// exception naming the backend when it cannot be reached.
    /// </summary>
    Task<SharedChannelState?> DeclareAsync(string name, string typeName, bool create);

    /// <summary>Shares <paramref name="channel"/>, which the router just created, through the engine; called once per channel.</summary>
    SharedChannel Bind(Router router, RoutedChannel channel);
}

/// <summary>A shared channel as the backend knows it.</summary>
/// <param name="TypeName">The message type fixed by its first use on any host.</param>
/// <param name="IsClosed">Whether some host closed it.</param>
internal sealed record SharedChannelState(string TypeName, bool IsClosed);

/// <summary>
/// The engine's side of one shared channel. The router calls these under the channel's lock: they only enqueue (the
/// engine's own tasks talk to the backend), and never call the router back on the calling thread.
/// </summary>
internal abstract class SharedChannel
{
    /// <summary>
    /// Messages the backend handed over and this main process holds (waiting here or delivered and not acknowledged)
    /// that a process of this main process sent; under the channel's lock. The router's statistics count the others.
    /// </summary>
    public int HeldOwn { get; set; }

    /// <summary>
    /// Messages of local senders that a local receiver consumed and whose acknowledgement has not come back from the
    /// backend yet (their senders' credit is still out); the router's statistics count them as unacknowledged.
    /// </summary>
    public abstract int Settling { get; }

    /// <summary>A local sender's message, within its window (the router counts it as outstanding until <see cref="Router.GrantShared"/>).</summary>
    public abstract void Append(RouterPeer sender, ReadOnlyMemory<byte> payload, long cost);

    /// <summary>A local receiver consumed the message whose payload is <paramref name="payload"/> (as handed to <see cref="Router.DeliverShared"/>).</summary>
    public abstract void Consumed(ReadOnlyMemory<byte> payload);

    /// <summary>Local receivers may take more (a receiver attached, acknowledged, or left).</summary>
    public abstract void Wake();

    /// <summary>
    /// A local process closed the channel. The engine appends what local senders sent before, closes it on the backend,
    /// hands this main process what no host had read, then closes it here (<see cref="Router.CloseShared"/>) and on every host.
    /// </summary>
    public abstract void Close();
}
