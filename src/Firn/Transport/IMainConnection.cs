namespace Firn.Transport;

/// <summary>
/// A child's connection to the main process, as the features' remote backends see it: each registers the frame kinds
/// the main process sends it, and sends its own. Handlers run on the read loop, one frame at a time: they must not block.
/// </summary>
internal interface IMainConnection
{
    /// <summary>This child's declared name, for error messages.</summary>
    string ProcessName { get; }

    /// <summary>The connection once it is made (from the handshake on); <see langword="null"/> before.</summary>
    Connection? Connection { get; }

    /// <summary>Registers the handler of one frame kind the main process sends; call before connecting.</summary>
    void Register(FrameKind kind, FrameHandler handler);

    /// <summary>Queues a frame to the main process; returns <see langword="false"/> if the connection is closed.</summary>
    bool Send(FrameKind kind, ReadOnlySpan<byte> body);

    /// <summary>
    /// Queues a frame of the public API (a call, a result, a stream item, a publication, a store request) once there is
    /// room for it in this child's own buffer (see <see cref="OutboundBuffer.AppendWhenRoomAsync"/>); completes with
    /// <see langword="false"/> if the connection is closed.
    /// </summary>
    ValueTask<bool> SendWhenRoomAsync(FrameKind kind, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, CancellationToken cancellationToken);

    /// <summary>Adds to a per-id counter frame (credits, acknowledgements) that goes out once per batch.</summary>
    void AddCounter(FrameKind kind, uint id, uint count);

    /// <summary>Raised once when the connection to the main process is lost (after channels are closed), with the reason.</summary>
    event Action<DisconnectReason>? ConnectionLost;

    /// <summary>Why the connection to the main process is closed, once it is (from the moment it starts closing).</summary>
    DisconnectReason DisconnectReason { get; }

    /// <summary>Whether the connection to the main process is closing or closed (or not open yet).</summary>
    bool IsConnectionClosed { get; }

    /// <summary>The error of an operation that found the connection to the main process closed: "<paramref name="what"/>: the connection … is closed (why)."</summary>
    FirnDisconnectedException DisconnectedError(string what);
}
