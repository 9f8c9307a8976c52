using System.Buffers.Binary;
using System.Net.Sockets;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// The raw peer's wire: a 4-byte little-endian length, then the message bytes — the least any framed
/// transport over a Unix socket can do. No library, no serializer, no routing.
/// </summary>
internal static class RawFraming
{
    public static Socket Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        return listener;
    }

    public static Socket Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Sends <paramref name="count"/> frames of <paramref name="message"/>, packed into large writes.</summary>
    public static void SendBatched(Socket socket, byte[] message, long count)
    {
        var frame = 4 + message.Length;
        var buffer = new byte[Math.Max(256 * 1024, frame)];
        var used = 0;
        for (var i = 0L; i < count; i++)
        {
            if (buffer.Length - used < frame)
            {
                SendAll(socket, buffer.AsSpan(0, used));
                used = 0;
            }

            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), message.Length);
            message.CopyTo(buffer.AsSpan(used + 4));
            used += frame;
        }

        SendAll(socket, buffer.AsSpan(0, used));
    }

    /// <summary>Sends one frame with one write.</summary>
    public static void SendFrame(Socket socket, byte[] frameBuffer, ReadOnlySpan<byte> message)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frameBuffer, message.Length);
        message.CopyTo(frameBuffer.AsSpan(4));
        SendAll(socket, frameBuffer.AsSpan(0, 4 + message.Length));
    }

    /// <summary>Reads one whole frame into <paramref name="buffer"/> (grown if needed); returns its length, or -1 at end of stream.</summary>
    public static int ReceiveFrame(Socket socket, ref byte[] buffer)
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReceiveExactly(socket, header))
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (buffer.Length < length)
        {
            buffer = new byte[length];
        }

        return ReceiveExactly(socket, buffer.AsSpan(0, length)) ? length : -1;
    }

    public static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[socket.Send(bytes)..];
        }
    }

    private static bool ReceiveExactly(Socket socket, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var read = socket.Receive(destination);
            if (read == 0)
            {
                return false;
            }

            destination = destination[read..];
        }

        return true;
    }
}

/// <summary>Counts frames in a byte stream without copying message bodies.</summary>
internal sealed class RawFrameCounter
{
    private readonly byte[] _header = new byte[4];
    private int _headerFill;
    private long _bodyLeft;

    public long Frames { get; private set; }

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_bodyLeft > 0)
            {
                var take = (int)Math.Min(_bodyLeft, bytes.Length);
                bytes = bytes[take..];
                _bodyLeft -= take;
                if (_bodyLeft == 0)
                {
                    Frames++;
                }

                continue;
            }

            _header[_headerFill++] = bytes[0];
            bytes = bytes[1..];
            if (_headerFill == 4)
            {
                _headerFill = 0;
                _bodyLeft = BinaryPrimitives.ReadInt32LittleEndian(_header);
                if (_bodyLeft == 0)
                {
                    Frames++;
                }
            }
        }
    }
}
