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

    private readonly Lock _writerGate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _writerRunning;

    /// <inheritdoc />
    unsafe int IInlineWriter.TrySend(ReadOnlySpan<byte> batch)
    {
        var handle = _socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            fixed (byte* bytes = batch)
            {
                while (true)
                {
                    var sent = NativeMethods.send(fd, bytes, (nuint)batch.Length, NativeMethods.MSG_DONTWAIT | NativeMethods.MSG_NOSIGNAL);
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
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    void IInlineWriter.OnSendFailed() =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Close(ConnectionCloseReason.RemotePartyTerminated, "a write to the socket failed"), this, preferLocal: false);

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
                        _socket.Send(batch, SocketFlags.None);
                        Outbound.OnBatchWritten();
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
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _drained.TrySetResult();
            Close(ConnectionCloseReason.RemotePartyTerminated, ex.Message);
        }
    }
}
