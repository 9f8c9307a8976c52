using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Firn.Benchmarks.Peers;

/// <summary>Whether a redis-server answers a PING yet, on a Unix socket or on TCP: how the bench waits for one it started.</summary>
internal static class RedisPing
{
    public static async Task<bool> AnswersAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint, cancellationToken);
            await socket.SendAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
