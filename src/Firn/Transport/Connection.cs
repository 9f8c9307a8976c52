using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Firn.Transport;

/// <summary>Handles one received frame. Runs on the connection's read loop, so it must not block.</summary>
/// <param name="kind">The frame kind.</param>
/// <param name="body">The frame body; valid only during the call.</param>
internal delegate void FrameHandler(FrameKind kind, ReadOnlySpan<byte> body);

/// <summary>
/// One framed, full-duplex socket: a read thread that decodes frames and hands each to a <see cref="FrameHandler"/>,
/// and the writing of an <see cref="OutboundBuffer"/>: inline by the thread that appended to an idle connection, or
/// by a writer thread while the connection is busy. Any protocol error closes the connection with a reason; it never
/// throws into its owner.
/// </summary>
/// <remarks>
/// The socket stays in blocking mode and is never used for .NET's asynchronous operations, so a read or a write is
/// one system call on the thread that needs it, with no completion handed between threads: a message costs at most
/// one thread wake-up per direction, and none while the reader polls (Connection.Poll.cs). See Connection.Read.cs and
/// Connection.Write.cs.
/// </remarks>
internal sealed partial class Connection : IInlineWriter
{
    /// <summary>An idle connection's read buffer: small, since a process may have many idle children.</summary>
    private const int InitialReadBufferSize = 4 * 1024;

    /// <summary>A busy connection's read buffer grows (doubling each time a read fills it) up to this, and keeps it.</summary>
    private const int SteadyReadBufferSize = 256 * 1024;

    /// <summary>The connection whose read loop runs on this thread (a read thread serves one connection for its life).</summary>
    [ThreadStatic]
    private static Connection? s_readLoopOf;

    private readonly Socket _socket;
    private int _maxBodyLength;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrameHandler? _handler;

    /// <summary>0 while open; once closing, 1 + the <see cref="ConnectionCloseReason"/> of the first close, set in one step so a reader never sees one without the other.</summary>
    private int _closeState;
    private int _overflowed;

    /// <summary>Wraps a connected socket.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="maxBodyLength">The largest frame body accepted from the peer.</param>
    /// <param name="logger">Where closes are logged.</param>
    /// <param name="description">Who is on the other end, for log lines.</param>
    /// <param name="bufferLimit">The most bytes that may wait to be written to the peer; past it the peer is not reading and the connection closes.</param>
    /// <param name="largestFrame">The largest frame this side may append; the congestion limit (at most a quarter of <paramref name="bufferLimit"/>) leaves room for one more (<see cref="OutboundBuffer.CongestionLimitFor"/>).</param>
    public Connection(Socket socket, int maxBodyLength, ILogger logger, string description, int bufferLimit = OutboundBuffer.DefaultHardLimit, int largestFrame = 0)
    {
        _socket = socket;
        _maxBodyLength = maxBodyLength;
        _logger = logger;
        Description = description;
        Outbound = new OutboundBuffer(OutboundBuffer.CongestionLimitFor(bufferLimit, largestFrame), bufferLimit);
        Outbound.Overflowed += () =>
        {
            // The close runs later; a sender refused meanwhile already reads why.
            Interlocked.CompareExchange(ref _overflowed, 1, 0);
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Close(ConnectionCloseReason.Overloaded, $"the peer is not reading: {state.Outbound.HardLimit} bytes wait to be written to it (FirnAppOptions.ConnectionBufferLimit)"),
                this,
                preferLocal: false);
        };
    }

    /// <summary>Who is on the other end, for log lines (for example "child 'worker' (pid 4242)").</summary>
    public string Description { get; set; }

    /// <summary>The largest frame body accepted; raised once a peer has authenticated.</summary>
    public int MaxBodyLength
    {
        get => Volatile.Read(ref _maxBodyLength);
        set => Volatile.Write(ref _maxBodyLength, value);
    }

    /// <summary>Frames waiting to be written.</summary>
    public OutboundBuffer Outbound { get; }

    /// <summary>The optional features agreed in the handshake; set once, before the first frame that may use them.</summary>
    public Capabilities Capabilities { get; set; }

    /// <summary>How long the read thread polls after a read once both ends agreed to <see cref="Capabilities.SocketPoll"/>; set before <see cref="Start"/>.</summary>
    public TimeSpan PollWindow { get; init; }

    /// <summary>Where bodies too large for the read buffer are read into (tests give a connection a pool of its own).</summary>
    internal LargeBodyPool BodyPool { get; init; } = LargeBodyPool.Shared;

    /// <summary>
    /// Whether the calling thread is inside a frame handler on some connection's read loop. Code that waits for a
    /// reply from the peer must not run there: the reply could only be read by the thread that is waiting for it.
    /// </summary>
    public static bool IsOnReadLoop => s_readLoopOf is not null;

    /// <summary>Whether the calling thread is this connection's read loop (then <see cref="ReadBatchEnded"/> follows the frame in hand).</summary>
    public bool IsCurrentReadLoop => ReferenceEquals(s_readLoopOf, this);

    /// <summary>
    /// Runs on the read loop after the frames of one read have been handled: work that frame handlers deferred (credits
    /// granted back, say) is done here once per read instead of once per frame.
    /// </summary>
    public Action? ReadBatchEnded { get; set; }

    /// <summary>Throws instead of deadlocking when code that must block for the peer's reply runs inside a frame handler.</summary>
    /// <param name="operation">What was attempted, for the message ("open channel 'x'").</param>
    public static void ThrowIfOnReadLoop(string operation)
    {
        if (IsOnReadLoop)
        {
            throw new InvalidOperationException(
                $"Cannot {operation} on the thread that reads a connection: it would wait for a reply that only this thread can read. " +
                "A frame handler deserialized something that carries a channel, or called a blocking Firn API; do that on another thread. This is a bug in the code that registered the handler.");
        }
    }

    /// <summary>Completes with the reason once the connection has closed.</summary>
    public Task<ConnectionCloseReason> Closed => _closed.Task;

    /// <summary>Whether the connection is closing or closed.</summary>
    public bool IsClosing => Volatile.Read(ref _closeState) != 0;

    /// <summary>
    /// Why the connection closed, as soon as it starts closing (before <see cref="Closed"/> completes), or is about to close
    /// because the peer stopped reading; <see langword="null"/> while it is open.
    /// </summary>
    public ConnectionCloseReason? CloseReason =>
        Volatile.Read(ref _closeState) is var state and not 0 ? (ConnectionCloseReason)(state - 1)
        : Volatile.Read(ref _overflowed) != 0 ? ConnectionCloseReason.Overloaded
        : null;

    /// <summary>Starts reading (on a thread of its own) and writing.</summary>
    public void Start(FrameHandler handler)
    {
        _handler = handler;
        Outbound.InlineWriter = this;
        Outbound.LoopTurnGiven += EnsureWriter;
        new Thread(ReadLoop) { IsBackground = true, Name = "Firn read" }.Start();
    }

    /// <summary>Appends a frame with a body; returns <see langword="false"/> if the connection is closing.</summary>
    public bool Send(FrameKind kind, ReadOnlySpan<byte> body) => Outbound.Append(kind, body, default);

    /// <summary>Closes the connection now; buffered frames that were not written are dropped.</summary>
    public void Close(ConnectionCloseReason reason, string? detail = null)
    {
        if (Interlocked.CompareExchange(ref _closeState, (int)reason + 1, 0) != 0)
        {
            return;
        }

        LogClosed(Description, reason, detail ?? string.Empty);
        Outbound.Complete();
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already torn down by the peer.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        Outbound.AbandonWaiters();
        _closed.TrySetResult(reason);
    }

    /// <summary>Writes everything already buffered, then closes the connection.</summary>
    public async Task FlushAndCloseAsync(TimeSpan timeout)
    {
        Outbound.Complete();
        await Task.WhenAny(_drained.Task, Task.Delay(timeout)).ConfigureAwait(false);
        Close(ConnectionCloseReason.LocallyClosed);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection to {Peer} closed: {Reason} {Detail}")]
    private partial void LogClosedDebug(string peer, ConnectionCloseReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection to {Peer} closed: {Reason}: {Detail}")]
    private partial void LogClosedWarning(string peer, ConnectionCloseReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "A frame handler failed on the connection to {Peer}")]
    private partial void LogHandlerFailed(Exception exception, string peer);

    private void LogClosed(string peer, ConnectionCloseReason reason, string detail)
    {
        if (reason is ConnectionCloseReason.LocallyClosed or ConnectionCloseReason.RemotePartyTerminated)
        {
            LogClosedDebug(peer, reason, detail);
        }
        else
        {
            LogClosedWarning(peer, reason, detail);
        }
    }
}
