using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <content>
/// Writing: inline by an appender when the connection is idle (a non-blocking <c>send</c> on its thread), and otherwise by
/// a writer thread that exists only while the connection is busy (it retires after <see cref="WriterIdleTimeout"/>).
/// </content>
internal sealed partial class Connection
{
    /// <summary>How long the writer thread waits for more work before it retires (a busy connection keeps it).</summary>
    private static readonly TimeSpan WriterIdleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the read loop may go on after a write failed before the connection closes: what the peer sent before may
    /// still wait unread in this side's socket (a peer that exited leaves its last frames there, then the end of the stream).
    /// </summary>
    private static readonly TimeSpan WriteFailureReadGrace = TimeSpan.FromSeconds(2);

    private readonly Lock _writerGate = new();
    private int _writeFailed;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _writerRunning;

    /// <inheritdoc />
    unsafe int IInlineWriter.TrySend(ReadOnlySpan<byte> batch)
    {
        try
        {
            using var descriptor = new HeldDescriptor(_socket);
            fixed (byte* bytes = batch)
            {
                while (true)
                {
                    var sent = NativeMethods.send(descriptor.Fd, bytes, (nuint)batch.Length, NativeMethods.MSG_DONTWAIT | NativeMethods.MSG_NOSIGNAL);
                    if (sent >= 0)
                    {
                        return (int)sent;
                    }

                    var error = Marshal.GetLastPInvokeError();
                    if (error == NativeMethods.EINTR)
                    {
                        continue;
                    }

                    return error == NativeMethods.EAGAIN ? 0 : -1;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>Whether a write to the socket failed (the peer no longer reads); the connection closes at the end of the stream or after a grace.</summary>
    public bool WriteFailed => Volatile.Read(ref _writeFailed) != 0;

    /// <inheritdoc />
    void IInlineWriter.OnSendFailed() => OnWriteFailed("a write to the socket failed");

    /// <summary>
    /// Nothing more can be written, but the read loop keeps reading: it closes the connection itself at the end of the
    /// stream, which for a peer that is gone comes right after its last frames; a peer that keeps its end open gets
    /// <see cref="WriteFailureReadGrace"/>.
    /// </summary>
    private void OnWriteFailed(string detail)
    {
        if (Interlocked.Exchange(ref _writeFailed, 1) != 0)
        {
            return;
        }

        _ = Task.WhenAny(_closed.Task, Task.Delay(WriteFailureReadGrace)).ContinueWith(
            _ => Close(ConnectionCloseReason.RemotePartyTerminated, detail),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The write loop has the turn: make sure a writer thread is there to take it.</summary>
    private void EnsureWriter()
    {
        lock (_writerGate)
        {
            if (_writerRunning)
            {
                return;
            }

            _writerRunning = true;
        }

        new Thread(WriteLoop) { IsBackground = true, Name = "Firn write" }.Start();
    }

    private void WriteLoop()
    {
        try
        {
            while (true)
            {
                if (!Outbound.WaitForTurn(WriterIdleTimeout))
                {
                    // Idle: retire, unless a turn was given just now (then keep going; EnsureWriter saw this thread running).
                    lock (_writerGate)
                    {
                        if (!Outbound.HasPendingTurn)
                        {
                            _writerRunning = false;
                            return;
                        }
                    }

                    continue;
                }

                while (true)
                {
                    var batch = Outbound.TakeForLoop(out var ended);
                    if (batch.Count > 0)
                    {
                        // In chunks, each counted as it completes: the peer reads (and releases budget for) the start of
                        // a large batch long before the rest is out, and the buffer's limits must not count it twice.
                        for (var offset = 0; offset < batch.Count;)
                        {
                            var sent = _socket.Send(batch.AsSpan(offset, Math.Min(OutboundBuffer.WriteChunk, batch.Count - offset)), SocketFlags.None);
                            offset += sent;
                            Outbound.OnWritten(sent);
                        }

                        continue;
                    }

                    if (ended)
                    {
                        _drained.TrySetResult();
                        return;
                    }

                    // Nothing left: the turn went back to whoever appends next.
                    break;
                }
            }
        }
        catch (SocketException ex)
        {
            _drained.TrySetResult();
            OnWriteFailed(ex.Message);
        }
        catch (ObjectDisposedException ex)
        {
            _drained.TrySetResult();
            Close(ConnectionCloseReason.RemotePartyTerminated, ex.Message);
        }
    }
}
