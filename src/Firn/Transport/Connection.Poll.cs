using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <content>The read thread's wait for bytes: a blocking read, after a poll while polling pays (see <see cref="ReadPoll"/>).</content>
internal sealed partial class Connection
{
    private long _polledReads;

    /// <summary>How many reads a poll caught (rather than a blocking read): a figure for tests and diagnostics.</summary>
    public long PolledReads => Volatile.Read(ref _polledReads);

    /// <summary>Reads the next bytes into <paramref name="into"/>, polling first where both ends agreed to (<see cref="Capabilities.SocketPoll"/>); 0 at end of stream.</summary>
    private int ReceiveNext(Span<byte> into, ref ReadPoll poll)
    {
        if ((Capabilities & Capabilities.SocketPoll) == 0 || poll.WindowTicks == 0)
        {
            return _socket.Receive(into, SocketFlags.None);
        }

        var start = Stopwatch.GetTimestamp();
        if (poll.ShouldPoll && TryReceiveBefore(into, start + poll.WindowTicks) is var polled and >= 0)
        {
            poll.Caught();

            // Written only by this read thread; a plain increment published by the volatile store. The end of the
            // stream counts too: the poll caught it.
            Volatile.Write(ref _polledReads, _polledReads + 1);
            return polled;
        }

        var read = _socket.Receive(into, SocketFlags.None);
        poll.Blocked(Stopwatch.GetTimestamp() - start);
        return read;
    }

    /// <summary>
    /// Non-blocking reads until bytes come or <paramref name="deadline"/> passes: the count read (0 at end of stream), or
    /// -1 for none.
    /// </summary>
    /// <exception cref="SocketException">The socket failed, as the blocking read would have thrown (a pending error is
    /// reported once, so the poll reports it itself).</exception>
    private unsafe int TryReceiveBefore(Span<byte> into, long deadline)
    {
        using var descriptor = new HeldDescriptor(_socket);
        var spinner = default(SpinWait);
        fixed (byte* bytes = into)
        {
            do
            {
                var read = NativeMethods.recv(descriptor.Fd, bytes, (nuint)into.Length, NativeMethods.MSG_DONTWAIT);
                if (read >= 0)
                {
                    return (int)read;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error is not (NativeMethods.EAGAIN or NativeMethods.EINTR))
                {
                    throw ReadFailed(error);
                }

                // Yields the processor after a few rounds: on a machine with few cores the thread that will answer may
                // need this one (never sleeps a whole millisecond).
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            while (Stopwatch.GetTimestamp() < deadline);
        }

        return -1;
    }

    /// <summary>
    /// The error a failed <c>recv</c> means, as the blocking read would report it: SocketException takes .NET's
    /// <see cref="SocketError"/> codes, not errno, so a reset is named as one (the read loop counts it as the peer's
    /// close) and any other failure is a socket error that names its errno.
    /// </summary>
    private static SocketException ReadFailed(int errno) => new(
        (int)(errno == NativeMethods.ECONNRESET ? SocketError.ConnectionReset : SocketError.SocketError),
        $"recv failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
