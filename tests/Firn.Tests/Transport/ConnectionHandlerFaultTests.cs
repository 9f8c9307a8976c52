using Firn.Failures;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// Who broke the connection: a frame the peer got wrong closes it as a protocol violation; a handler of this side that
/// throws anything else is this side's fault, and says so (in a child, <see cref="DisconnectReason.LocalHandlerFault"/>).
/// </summary>
public sealed class ConnectionHandlerFaultTests
{
    [Fact]
    public async Task A_handler_that_throws_closes_the_connection_as_a_local_handler_fault()
    {
        var reason = await CloseWithAsync(new InvalidOperationException("a bug in this process"));

        Assert.Equal(ConnectionCloseReason.LocalHandlerFault, reason);
        Assert.Equal(DisconnectReason.LocalHandlerFault, DisconnectReasons.From(reason));
    }

    [Fact]
    public async Task A_frame_the_peer_got_wrong_closes_the_connection_as_a_protocol_violation()
    {
        var reason = await CloseWithAsync(new ProtocolViolationException("a field out of range"));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, reason);
        Assert.Equal(DisconnectReason.ProtocolViolation, DisconnectReasons.From(reason));
    }

    [Fact]
    public void A_count_over_the_largest_int_is_the_peers_protocol_violation_not_an_overflow_here()
    {
        Assert.Equal(int.MaxValue, new BodyReader([0xFF, 0xFF, 0xFF, 0x7F]).ReadCount());
        Assert.Throws<ProtocolViolationException>(() => new BodyReader([0x00, 0x00, 0x00, 0x80]).ReadCount());
    }

    [Fact]
    public void Every_close_reason_has_a_public_disconnect_reason_and_words()
    {
        foreach (var reason in Enum.GetValues<ConnectionCloseReason>())
        {
            var disconnect = DisconnectReasons.From(reason);
            Assert.Equal(reason.ToString(), disconnect.ToString());
            Assert.NotEqual(disconnect.ToString(), FirnErrors.Describe(disconnect));
        }
    }

    private static async Task<ConnectionCloseReason> CloseWithAsync(Exception thrown)
    {
        using var sockets = await SocketPair.ConnectAsync("handler-fault");
        var connection = new Connection(sockets.Local, 1024, NullLogger.Instance, "a peer", 1024 * 1024);
        connection.Start((_, _) => throw thrown);

        sockets.Remote.Send(Frames.Encode(FrameKind.Ping, []));

        var reason = await connection.Closed.WaitAsync(TestApps.Timeout);
        Assert.Equal(reason, connection.CloseReason);
        return reason;
    }
}
