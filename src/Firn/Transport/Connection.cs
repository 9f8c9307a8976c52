using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Firn.Transport;

/// <summary>Handles one received frame. Runs on the connection's read loop, so it must not block.</summary>
/// <param name="kind">The frame kind.</param>
/// <param name="body">The frame body; valid only during the call.</param>
internal delegate void FrameHandler(FrameKind kind, ReadOnlySpan<byte> body);

/// <summary>
/// One framed, full-duplex socket: a read loop that decodes frames and hands each to a
/// <see cref="FrameHandler"/>, and a write loop that drains an <see cref="OutboundBuffer"/> in batches.
/// Any protocol error closes the connection with a reason; it never throws into its owner.
/// </summary>
internal sealed partial class Connection
{
    /// <summary>An idle connection's read buffer: small, since a process may have many idle children.</summary>
    private const int InitialReadBufferSize = 4 * 1024;

    /// <summary>A busy connection's read buffer grows (doubling each time a read fills it) up to this, and keeps it.</summary>
    private const int SteadyReadBufferSize = 256 * 1024;

    [ThreadStatic]
    private static bool s_onReadLoop;

    private readonly Socket _socket;
    private int _maxBodyLength;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrameHandler? _handler;
    private Task? _writeLoop;
    private int _closeStarted;

    /// <summary>Wraps a connected socket.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="maxBodyLength">The largest frame body accepted from the peer.</param>
    /// <param name="logger">Where closes are logged.</param>
    /// <param name="description">Who is on the other end, for log lines.</param>
    /// <param name="bufferLimit">The most bytes that may wait to be written to the peer; past it the peer is not reading and the connection closes (a quarter of it is the congestion limit).</param>
    public Connection(Socket socket, int maxBodyLength, ILogger logger, string description, int bufferLimit = OutboundBuffer.DefaultHardLimit)
    {
        _socket = socket;
        _maxBodyLength = maxBodyLength;
        _logger = logger;
        Description = description;
        Outbound = new OutboundBuffer(bufferLimit / 4, bufferLimit);
        Outbound.Overflowed += () => ThreadPool.UnsafeQueueUserWorkItem(
            static state => state.Close(ConnectionCloseReason.Overloaded, $"the peer is not reading: {state.Outbound.HardLimit} bytes wait to be written to it (FirnAppOptions.ConnectionBufferLimit)"),
            this,
            preferLocal: false);
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

    /// <summary>
    /// Whether the calling thread is inside a frame handler on some connection's read loop. Code that waits for a
    /// reply from the peer must not run there: the reply could only be read by the thread that is waiting for it.
    /// </summary>
    public static bool IsOnReadLoop => s_onReadLoop;

    /// <summary>Throws instead of deadlocking when code that must block for the peer's reply runs inside a frame handler.</summary>
    /// <param name="operation">What was attempted, for the message ("open channel 'x'").</param>
    public static void ThrowIfOnReadLoop(string operation)
    {
        if (s_onReadLoop)
        {
            throw new InvalidOperationException(
                $"Cannot {operation} on the thread that reads a connection: it would wait for a reply that only this thread can read. " +
                "A frame handler deserialized something that carries a channel, or called a blocking Firn API; do that on another thread. This is a bug in the code that registered the handler.");
        }
    }

    /// <summary>Completes with the reason once the connection has closed.</summary>
    public Task<ConnectionCloseReason> Closed => _closed.Task;

    /// <summary>Whether the connection is closing or closed.</summary>
    public bool IsClosing => Volatile.Read(ref _closeStarted) != 0;

    /// <summary>Starts the read and write loops.</summary>
    public void Start(FrameHandler handler)
    {
        _handler = handler;
        _writeLoop = Task.Run(WriteLoopAsync);
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>Appends a frame with a body; returns <see langword="false"/> if the connection is closing.</summary>
    public bool Send(FrameKind kind, ReadOnlySpan<byte> body) => Outbound.Append(kind, body, default);

    /// <summary>Closes the connection now; buffered frames that were not written are dropped.</summary>
    public void Close(ConnectionCloseReason reason, string? detail = null)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
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
        if (_writeLoop is not null)
        {
            await Task.WhenAny(_writeLoop, Task.Delay(timeout)).ConfigureAwait(false);
        }

        Close(ConnectionCloseReason.LocallyClosed);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[InitialReadBufferSize];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Close(ConnectionCloseReason.RemotePartyTerminated, "the peer closed the socket");
                    return;
                }

                end += read;
                var filled = end == buffer.Length;
                while (true)
                {
                    var limit = MaxBodyLength;
                    var status = FrameDecoder.TryDecode(buffer.AsSpan(start, end - start), limit, out var kind, out var bodyLength, out var frameLength);
                    if (status == DecodeStatus.TooLarge)
                    {
                        Close(ConnectionCloseReason.FrameTooLarge, $"the peer announced a frame body of {bodyLength} bytes; the limit is {limit}");
                        return;
                    }

                    if (status == DecodeStatus.NeedMore)
                    {
                        if (frameLength > buffer.Length - start)
                        {
                            buffer = MakeRoom(buffer, ref start, ref end, frameLength);
                        }

                        break;
                    }

                    s_onReadLoop = true;
                    try
                    {
                        _handler!(kind, buffer.AsSpan(start + FrameFormat.HeaderSize, (int)bodyLength));
                    }
                    finally
                    {
                        s_onReadLoop = false;
                    }

                    start += (int)frameLength;
                    if (IsClosing)
                    {
                        return;
                    }
                }

                if (filled && buffer.Length < SteadyReadBufferSize)
                {
                    // Reads fill the buffer: bytes arrive faster than it holds them, so read more per system call.
                    var grown = new byte[buffer.Length * 2];
                    buffer.AsSpan(start, end - start).CopyTo(grown);
                    buffer = grown;
                    end -= start;
                    start = 0;
                }
                else if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > SteadyReadBufferSize)
                    {
                        // It grew for one large frame: let it go.
                        buffer = new byte[SteadyReadBufferSize];
                    }
                }
                else if (buffer.Length - end < FrameFormat.HeaderSize || start > buffer.Length / 2)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (ProtocolViolationException ex)
        {
            Close(ConnectionCloseReason.ProtocolViolation, ex.Message);
        }
        catch (OperationCanceledException)
        {
            Close(ConnectionCloseReason.LocallyClosed);
        }
        catch (ObjectDisposedException)
        {
            Close(ConnectionCloseReason.LocallyClosed);
        }
        catch (SocketException ex)
        {
            Close(ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown
                ? ConnectionCloseReason.RemotePartyTerminated
                : ConnectionCloseReason.SocketError, ex.Message);
        }
#pragma warning disable CA1031 // A bug in a frame handler must close this connection, not crash the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(ex, Description);
            Close(ConnectionCloseReason.ProtocolViolation, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Makes room for a frame that does not fit: first by moving the unread bytes to the front, then by
    /// doubling, never past the frame's size. Growth follows bytes actually received, so a header that
    /// merely announces a large frame costs nothing until the peer really sends it.
    /// </summary>
    private static byte[] MakeRoom(byte[] buffer, ref int start, ref int end, long frameLength)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            var grown = new byte[(int)Math.Min(frameLength, (long)buffer.Length * 2)];
            buffer.AsSpan(0, end).CopyTo(grown);
            buffer = grown;
        }

        return buffer;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                var batch = await Outbound.TakeAsync(_closing.Token).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    return;
                }

                var memory = batch.AsMemory();
                while (!memory.IsEmpty)
                {
                    var sent = await _socket.SendAsync(memory, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                    memory = memory[sent..];
                }

                Outbound.OnBatchWritten();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException ex)
        {
            Close(ConnectionCloseReason.RemotePartyTerminated, ex.Message);
        }
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
