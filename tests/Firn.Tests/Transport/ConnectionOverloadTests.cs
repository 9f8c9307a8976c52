using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>A peer that stops reading: the connection refuses to buffer past its limit and closes as overloaded.</summary>
public sealed class ConnectionOverloadTests
{
    [Fact]
    public async Task A_connection_whose_peer_does_not_read_closes_as_overloaded_at_its_buffer_limit()
    {
        const int limit = 256 * 1024;
        using var sockets = await SocketPair.ConnectAsync("overload");
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer that never reads", limit);
        connection.Start((_, _) => { });

        // The kernel's socket buffers take some bytes first (the write loop drains into them); past that, the
        // connection's own buffer fills up to its limit and the next frame is refused.
        var frame = new byte[16 * 1024];
        var appended = 0;
        while (connection.Send(FrameKind.Deliver, frame))
        {
            Assert.True(connection.Outbound.PendingBytes <= limit);
            Assert.True(++appended < 100_000, "the connection never refused a frame");
        }

        Assert.Equal(ConnectionCloseReason.Overloaded, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
