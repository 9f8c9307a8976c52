using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>A write that fails because the peer is gone does not cost the frames it sent before: they are read first.</summary>
public sealed class ConnectionWriteFailureTests
{
    [Fact]
    public async Task Frames_a_gone_peer_sent_before_a_write_failed_are_all_handled_before_the_connection_closes()
    {
        using var sockets = await SocketPair.ConnectAsync("epipe");
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer that is gone", 1024 * 1024);
        var handled = new List<byte>();
        using var inFirstHandler = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        connection.Start((_, body) =>
        {
            lock (handled)
            {
                handled.Add(body[0]);
            }

            if (body[0] == 1)
            {
                // Holds the read loop inside the first frame while the write fails.
                inFirstHandler.Set();
                release.Wait(TestApps.Timeout);
            }
        });

        // The peer sends three frames and is gone, as an exited process would be.
        sockets.Remote.Send([.. new byte[] { 1, 2, 3 }.SelectMany(body => Frames.Encode(FrameKind.Deliver, [body]))]);
        sockets.Remote.Dispose();
        Assert.True(inFirstHandler.Wait(TestApps.Timeout));

        connection.Send(FrameKind.Ping, default);
        await TestApps.UntilAsync(() => connection.WriteFailed, "the write to the gone peer failed");
        release.Set();

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await connection.Closed.WaitAsync(TestApps.Timeout));
        lock (handled)
        {
            Assert.Equal([1, 2, 3], handled);
        }
    }

    [Fact]
    public async Task A_peer_that_stops_reading_but_keeps_its_end_open_is_closed_after_the_grace()
    {
        using var sockets = await SocketPair.ConnectAsync("epipe");
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer that stopped reading", 1024 * 1024);
        connection.Start((_, _) => { });

        // Its read side is shut, so writes fail, but the stream never ends: the grace bounds the wait.
        sockets.Remote.Shutdown(System.Net.Sockets.SocketShutdown.Receive);
        connection.Send(FrameKind.Ping, default);

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await connection.Closed.WaitAsync(TestApps.Timeout));
        Assert.True(connection.WriteFailed);
    }
}
