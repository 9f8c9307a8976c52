using System.Globalization;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Roles;

/// <summary>The child side of the raw peer.</summary>
internal static class RawRoles
{
    /// <summary><c>raw-send PATH SIZE COUNT</c>: connects and sends COUNT frames (size 0: the 64-byte message).</summary>
    public static int Send(string path, string size, string count)
    {
        var bytes = int.Parse(size, CultureInfo.InvariantCulture);
        using var socket = RawFraming.Connect(path);
        RawFraming.SendBatched(socket, bytes == 0 ? Payload.Text64Bytes : Payload.Bytes(bytes), long.Parse(count, CultureInfo.InvariantCulture));
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        return 0;
    }

    /// <summary><c>raw-echo PATH</c>: writes every frame back until the main process closes the socket.</summary>
    public static int Echo(string path)
    {
        using var socket = RawFraming.Connect(path);
        var buffer = new byte[64 * 1024];
        var frame = new byte[4 + buffer.Length];
        while (true)
        {
            var length = RawFraming.ReceiveFrame(socket, ref buffer);
            if (length < 0)
            {
                return 0;
            }

            if (frame.Length < 4 + length)
            {
                frame = new byte[4 + length];
            }

            RawFraming.SendFrame(socket, frame, buffer.AsSpan(0, length));
        }
    }
}
