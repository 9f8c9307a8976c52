namespace Firn.Transport;

/// <summary>
/// An authenticated child on its connection, as the main process's feature servers see it: who it is (from the
/// handshake, never from a frame's content), where their answers go, and how to drop it for breaking the protocol.
/// </summary>
internal interface IPeerSession
{
    /// <summary>The child's declared name: its identity in the router, the store and the call table.</summary>
    string ProcessName { get; }

    /// <summary>The connection the child's frames came from and its answers go out on.</summary>
    Connection Connection { get; }

    /// <summary>Whether the child's outbound buffer is over its limit (it is not reading).</summary>
    bool IsCongested { get; }

    /// <summary>Closes the connection of a child that broke the protocol.</summary>
    void Violate(string reason);
}

/// <summary>Handles one frame of a feature from an authenticated child.</summary>
/// <param name="session">The child that sent it; identity comes from the connection, never from the body.</param>
/// <param name="body">The frame body; valid only during the call.</param>
internal delegate void SessionFrameHandler(IPeerSession session, ReadOnlySpan<byte> body);

/// <summary>
/// Where the main process's feature servers (channels, store, pub/sub, RPC) plug in: each registers the frame kinds
/// it answers and forgets a child when its session ends. Handlers run on the child's read loop, one frame at a time
/// and never after the session ended, so they must only enqueue, never wait for another process.
/// </summary>
internal interface ISessionServices
{
    /// <summary>Registers the handler of one frame kind; call before any child connects.</summary>
    void Register(FrameKind kind, SessionFrameHandler handler);

    /// <summary>Raised once when a child's connection is gone and its session has ended: no frame of it is handled after.</summary>
    event Action<IPeerSession>? SessionEnded;
}
