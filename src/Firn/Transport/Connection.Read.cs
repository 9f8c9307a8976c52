using System.Buffers;
using System.Net.Sockets;

namespace Firn.Transport;

/// <content>The read thread: blocking reads, frames decoded in place and handed to the handler.</content>
internal sealed partial class Connection
{
    private void ReadLoop()
    {
        var buffer = NewReadBuffer(InitialReadBufferSize);

        // Set aside while a frame larger than the steady buffer is read into an array rented from the shared pool (then
        // non-null exactly while buffer is rented): a stream of large frames costs no allocation each.
        byte[]? steady = null;
        int start = 0, end = 0;
        var handled = false;
        var poll = new ReadPoll(PollWindow);
        s_readLoopOf = this;
        try
        {
            while (true)
            {
                var read = ReceiveNext(buffer.AsSpan(end), ref poll);
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
                        if (bodyLength > SteadyReadBufferSize)
                        {
                            // Too large for the steady buffer: read the rest of the body straight into a pooled body of
                            // its own, which a handler may keep (ReceivedBody.Keep) instead of copying the bytes out.
                            if (!TryReadWholeBody(buffer.AsSpan(start, end - start), (int)bodyLength, ref poll, out var whole))
                            {
                                Close(ConnectionCloseReason.RemotePartyTerminated, "the peer closed the socket in the middle of a frame");
                                return;
                            }

                            start = end = 0;
                            ReceivedBody.Handle(_handler!, (FrameKind)whole.Kind, whole.Body);
                            handled = true;
                            if (IsClosing)
                            {
                                return;
                            }

                            break;
                        }

                        if (frameLength > buffer.Length - start)
                        {
                            buffer = MakeRoom(buffer, ref steady, ref start, ref end, frameLength);
                        }

                        break;
                    }

                    _handler!(kind, buffer.AsSpan(start + FrameFormat.HeaderSize, (int)bodyLength));
                    handled = true;
                    start += (int)frameLength;
                    if (IsClosing)
                    {
                        return;
                    }
                }

                if (handled)
                {
                    handled = false;
                    ReadBatchEnded?.Invoke();
                }

                if (filled && buffer.Length < SteadyReadBufferSize)
                {
                    // Reads fill the buffer: bytes arrive faster than it holds them, so read more per system call.
                    var grown = NewReadBuffer(buffer.Length * 2);
                    buffer.AsSpan(start, end - start).CopyTo(grown);
                    buffer = grown;
                    end -= start;
                    start = 0;
                }
                else if (start == end)
                {
                    start = end = 0;
                    if (steady is not null)
                    {
                        // It grew for a large frame: the rented array goes back to the pool.
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = steady;
                        steady = null;
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
            // Whatever the peer sent that this side cannot accept is a ProtocolViolationException (BodyReader and every
            // handler's checks throw it); anything else is this side's fault, and must not be blamed on the peer.
            LogHandlerFailed(ex, Description);
            Close(ConnectionCloseReason.LocalHandlerFault, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads the body of a frame too large for the steady buffer into a pooled body of its own: the bytes of it already
    /// in <paramref name="received"/> (which starts with the frame's header), then the rest straight from the socket.
    /// </summary>
    /// <returns><see langword="false"/> if the stream ended first.</returns>
    private bool TryReadWholeBody(ReadOnlySpan<byte> received, int bodyLength, ref ReadPoll poll, out (byte Kind, PooledBody Body) frame)
    {
        var body = PooledBody.Rent(bodyLength, BodyPool);
        frame = (received[FrameFormat.KindOffset], body);
        var have = received.Length - FrameFormat.HeaderSize;
        received[FrameFormat.HeaderSize..].CopyTo(body.Array);
        while (have < bodyLength)
        {
            var read = ReceiveNext(body.Array.AsSpan(have, bodyLength - have), ref poll);
            if (read == 0)
            {
                body.Release();
                return false;
            }

            have += read;
        }

        return true;
    }

    /// <summary>
    /// A read buffer on the pinned object heap. A blocking receive pins its buffer for as long as it waits, which for an
    /// idle connection is all the time; a buffer pinned among ordinary young objects keeps the collector from compacting
    /// around it, and with one read thread per child that left megabytes of free space held in the main process.
    /// </summary>
    private static byte[] NewReadBuffer(int size) => GC.AllocateUninitializedArray<byte>(size, pinned: true);

    /// <summary>
    /// Makes room for a frame that does not fit: first by moving the unread bytes to the front, then by
    /// doubling, never past the frame's size. Growth follows bytes actually received, so a header that
    /// merely announces a large frame costs nothing until the peer really sends it. Beyond the steady size the
    /// arrays are rented from the shared pool (the one this replaces goes back; the owned one waits in
    /// <paramref name="steady"/>).
    /// </summary>
    private static byte[] MakeRoom(byte[] buffer, ref byte[]? steady, ref int start, ref int end, long frameLength)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            var size = (int)Math.Min(frameLength, (long)buffer.Length * 2);
            var grown = size > SteadyReadBufferSize ? ArrayPool<byte>.Shared.Rent(size) : NewReadBuffer(size);
            buffer.AsSpan(0, end).CopyTo(grown);
            if (steady is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            else if (size > SteadyReadBufferSize)
            {
                steady = buffer;
            }

            buffer = grown;
        }

        return buffer;
    }
}
