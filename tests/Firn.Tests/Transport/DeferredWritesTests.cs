using System.Net.Sockets;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// Writes held back to the end of a scope (what the router relies on to append under a channel's lock): nothing reaches
/// the socket while the scope is open, appends from other threads join the same write, and nothing is lost.
/// </summary>
public sealed class DeferredWritesTests
{
    [Fact]
    public async Task Without_a_scope_an_append_to_an_idle_connection_is_on_the_socket_when_it_returns()
    {
        using var sockets = await SocketPair.ConnectAsync("inline");
        var connection = Started(sockets);

        Assert.True(connection.Send(FrameKind.Ping, default));

        Assert.Equal(FrameFormat.HeaderSize, sockets.Remote.Available);
        connection.Close(ConnectionCloseReason.LocallyClosed);
    }

    [Fact]
    public async Task In_a_scope_nothing_is_written_until_it_ends_and_another_threads_append_joins_the_same_write()
    {
        using var sockets = await SocketPair.ConnectAsync("deferred");
        var connection = Started(sockets);

        Assert.Equal(0, AppendTwiceInAScope(connection, sockets.Remote));

        Assert.Equal([FrameKind.Ping, FrameKind.Pong], Frames.Parse(Receive(sockets.Remote, 2 * FrameFormat.HeaderSize)).Select(f => f.Kind));
        connection.Close(ConnectionCloseReason.LocallyClosed);
    }

    [Fact]
    public async Task Nested_scopes_write_when_the_outermost_ends()
    {
        using var sockets = await SocketPair.ConnectAsync("nested");
        var connection = Started(sockets);

        Assert.Equal((0, 0), AppendInNestedScopes(connection, sockets.Remote));

        Assert.Single(Frames.Parse(Receive(sockets.Remote, FrameFormat.HeaderSize)));
        connection.Close(ConnectionCloseReason.LocallyClosed);
    }

    [Fact]
    public void The_write_loops_turn_is_held_back_too_and_given_when_the_scope_ends()
    {
        var buffer = new OutboundBuffer();
        var given = 0;
        buffer.LoopTurnGiven += () => given++;
        using (DeferredWrites.Begin())
        {
            Assert.True(DeferredWrites.IsDeferring);
            Assert.True(buffer.Append(FrameKind.Ping, default, default));
            buffer.AddCounter(FrameKind.Ack, 1, 1);
            Assert.False(buffer.HasPendingTurn);
            Assert.Equal(0, given);
        }

        Assert.False(DeferredWrites.IsDeferring);
        Assert.True(buffer.HasPendingTurn);
        Assert.Equal(1, given);
        Assert.True(buffer.WaitForTurn(TimeSpan.Zero));
        Assert.Equal([FrameKind.Ping, FrameKind.Ack], Frames.Parse([.. buffer.TakeForLoop(out _)]).Select(f => f.Kind));
    }

    private static Connection Started(SocketPair sockets)
    {
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer", 1024 * 1024);
        connection.Start((_, _) => { });
        return connection;
    }

    /// <summary>Appends a frame in a scope, and one from another thread while it is open; returns the bytes the peer could read before it ended.</summary>
    private static int AppendTwiceInAScope(Connection connection, Socket remote)
    {
        using (DeferredWrites.Begin())
        {
            Assert.True(connection.Send(FrameKind.Ping, default));

            // The other thread finds the writer role taken (held for the end of this scope) and leaves its frame to that write.
            var other = new Thread(() => connection.Send(FrameKind.Pong, default));
            other.Start();
            Assert.True(other.Join(TestApps.Timeout));
            Assert.Equal(2 * FrameFormat.HeaderSize, connection.Outbound.PendingBytes);
            return remote.Available;
        }
    }

    /// <summary>Appends a frame in an inner scope; returns the bytes the peer could read when the inner and then the outer scope were about to end.</summary>
    private static (int Inner, int Outer) AppendInNestedScopes(Connection connection, Socket remote)
    {
        using (DeferredWrites.Begin())
        {
            int inner;
            using (DeferredWrites.Begin())
            {
                Assert.True(connection.Send(FrameKind.Ping, default));
                inner = remote.Available;
            }

            return (inner, remote.Available);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from the peer's end, failing rather than hanging if they do not come.</summary>
    private static byte[] Receive(Socket remote, int count)
    {
        remote.ReceiveTimeout = (int)TestApps.Timeout.TotalMilliseconds;
        var received = new byte[count];
        for (var offset = 0; offset < count;)
        {
            var read = remote.Receive(received.AsSpan(offset));
            Assert.True(read > 0, "the connection closed before the frames came");
            offset += read;
        }

        Assert.Equal(0, remote.Available);
        return received;
    }
}
