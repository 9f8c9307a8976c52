using System.Buffers.Binary;
using System.Collections.Concurrent;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// A read thread that polls its socket (both ends agreed to <see cref="Capabilities.SocketPoll"/>) reads the same frames as
/// one that blocks: whole, in order, large ones across many reads, and the end of the stream as the peer's close.
/// </summary>
public sealed class ConnectionPollTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Echoed_frames_come_back_whole_and_in_order_and_only_agreed_connections_poll(bool agreed)
    {
        using var sockets = await SocketPair.ConnectAsync("poll");
        var capabilities = agreed ? Capabilities.SocketPoll : Capabilities.None;
        var echoing = new Connection(sockets.Remote, 1024 * 1024, NullLogger.Instance, "echo", 8 * 1024 * 1024) { PollWindow = Window, Capabilities = capabilities };
        var asking = new Connection(sockets.Local, 1024 * 1024, NullLogger.Instance, "asker", 8 * 1024 * 1024) { PollWindow = Window, Capabilities = capabilities };
        var replies = new BlockingCollection<byte[]>();
        echoing.Start((kind, body) => echoing.Send(kind, body));
        asking.Start((_, body) => replies.Add(body.ToArray()));
        try
        {
            for (var i = 0; i < 2_000; i++)
            {
                if (i % 250 == 249)
                {
                    // A gap of many windows: each reader stops polling and blocks, then takes polling up again.
                    await Task.Delay(Window * 5);
                }

                var message = Message(i);
                Assert.True(asking.Send(FrameKind.Send, message));
                Assert.True(replies.TryTake(out var reply, TestApps.Timeout), $"no echo of message {i}");
                Assert.Equal(message, reply);
            }
        }
        finally
        {
            asking.Close(ConnectionCloseReason.LocallyClosed);
            echoing.Close(ConnectionCloseReason.LocallyClosed);
        }

        if (agreed)
        {
            Assert.True(asking.PolledReads > 0, "the asking side never caught a reply by polling");
            Assert.True(echoing.PolledReads > 0, "the echoing side never caught a message by polling");
        }
        else
        {
            Assert.Equal((0L, 0L), (asking.PolledReads, echoing.PolledReads));
        }
    }

    [Fact]
    public async Task A_peer_that_closes_while_the_reader_polls_closes_the_connection_as_the_peers_close()
    {
        using var sockets = await SocketPair.ConnectAsync("poll-close");
        var connection = await PollingAfterAPingAsync(sockets);
        sockets.Remote.Shutdown(System.Net.Sockets.SocketShutdown.Both);

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await connection.Closed.WaitAsync(TestApps.Timeout));
        Assert.Equal(2, connection.PolledReads);
    }

    [Fact]
    public async Task A_peer_that_resets_the_connection_while_the_reader_polls_closes_it_as_the_peers_close()
    {
        using var sockets = await SocketPair.ConnectAsync("poll-reset");
        var connection = await PollingAfterAPingAsync(sockets);

        // A Unix socket closed with bytes it never read resets its peer: the polling reader's recv fails with ECONNRESET.
        Assert.True(connection.Send(FrameKind.Pong, []));
        var deadline = DateTime.UtcNow + TestApps.Timeout;
        while (sockets.Remote.Available == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Pong never reached the peer");
            await Task.Delay(1);
        }

        sockets.Remote.Close();

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await connection.Closed.WaitAsync(TestApps.Timeout));
    }

    [Fact]
    public async Task Closing_a_connection_whose_reader_polls_ends_the_poll_and_frees_the_socket()
    {
        using var sockets = await SocketPair.ConnectAsync("poll-local-close");
        var connection = await PollingAfterAPingAsync(sockets);

        // Close shuts the socket down and disposes it while the read thread holds it in a poll: the poll sees the end of
        // the stream and lets go, so the close returns and the peer sees the socket closed.
        await Task.Run(() => connection.Close(ConnectionCloseReason.LocallyClosed)).WaitAsync(TestApps.Timeout);
        Assert.Equal(ConnectionCloseReason.LocallyClosed, await connection.Closed.WaitAsync(TestApps.Timeout));
        var buffer = new byte[16];
        Assert.Equal(0, await sockets.Remote.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None).WaitAsync(TestApps.Timeout));
    }

    /// <summary>
    /// A connection on <paramref name="sockets"/>' local end that has read one Ping, with a window far longer than the test
    /// (the connection takes what its owner gives): its reader is surely polling when the next bytes or the close come.
    /// </summary>
    private static async Task<Connection> PollingAfterAPingAsync(SocketPair sockets)
    {
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer", 1024 * 1024) { PollWindow = TimeSpan.FromMinutes(5), Capabilities = Capabilities.SocketPoll };
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Start((_, _) => received.TrySetResult());
        sockets.Remote.Send(Frames.Encode(FrameKind.Ping, []));
        await received.Task.WaitAsync(TestApps.Timeout);
        return connection;
    }

    /// <summary>Message <paramref name="i"/>: its number, then a length that runs from 0 to well past one read (every 97th is 300 KiB).</summary>
    private static byte[] Message(int i)
    {
        var message = new byte[4 + (i % 97 == 0 ? 300 * 1024 : i % 1_000)];
        BinaryPrimitives.WriteInt32LittleEndian(message, i);
        message.AsSpan(4).Fill((byte)i);
        return message;
    }
}
