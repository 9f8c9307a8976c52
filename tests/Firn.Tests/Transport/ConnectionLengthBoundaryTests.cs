using System.Net.Sockets;
using Firn.Fuzzing;
using Firn.Hosting;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>
/// The length field at every edge, through a real connection to the real dispatcher (FrameDecoderTests covers the
/// decoder alone): before and after authentication, each length is either handled or closes that one connection
/// with the right reason, and a well-behaved child on the same main process keeps being served.
/// </summary>
public sealed class ConnectionLengthBoundaryTests
{
    public static TheoryData<string> AuthenticatedCases =>
    [
        "0", "1", "max-1", "max", "max+1", "2^31-1", "2^31", "2^32-1",
        "truncated header", "valid header then end of stream", "garbage after a valid frame",
    ];

    public static TheoryData<uint, string> HandshakeLengths => new()
    {
        { 0, "ProtocolViolation: Frame body ended early" },
        { 1, "ProtocolViolation: Frame body ended early" },
        { MainHost.MaxHandshakeBodyLength - 1, "Refused a connection: protocol version 0 is not supported" },
        { MainHost.MaxHandshakeBodyLength, "Refused a connection: protocol version 0 is not supported" },
        { MainHost.MaxHandshakeBodyLength + 1, $"FrameTooLarge: the peer announced a frame body of {MainHost.MaxHandshakeBodyLength + 1} bytes" },
        { int.MaxValue, $"FrameTooLarge: the peer announced a frame body of {int.MaxValue} bytes" },
        { 1u << 31, $"FrameTooLarge: the peer announced a frame body of {1u << 31} bytes" },
        { uint.MaxValue, $"FrameTooLarge: the peer announced a frame body of {uint.MaxValue} bytes" },
    };

    [Theory]
    [MemberData(nameof(AuthenticatedCases))]
    public async Task An_authenticated_child_at_a_length_edge_is_served_or_closed_with_the_right_reason(string edge)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var honest = harness.Connect("honest");
        var edgy = harness.Connect("edgy");
        var max = (uint)harness.MaxBodyLength;

        ConnectionCloseReason? expected;
        Func<Task>? check = null;
        switch (edge)
        {
            case "0":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Ready, 0));
                expected = null;
                check = () => Task.Run(() => Assert.Equal(1, edgy.Owner.ReadyCount));
                break;
            case "1":
                await edgy.SendAsync((byte[])[.. ChildFrames.Header(FrameKind.Control, 1), (byte)ControlRequest.StopSelf]);
                expected = null;
                check = () => Task.Run(() => Assert.Equal([ControlRequest.StopSelf], edgy.Owner.ControlRequests));
                break;
            case "max-1" or "max":
                var length = edge == "max" ? max : max - 1;
                var set = SetOfBodyLength(length, "edge");
                Assert.Equal(FrameFormat.HeaderSize + length, (uint)set.Length);
                await edgy.SendAsync(set);
                expected = null;
                check = async () => Assert.Equal(
                    length - EmptySetBodyLength("edge"),
                    (uint)(await harness.App.SharedMemory.GetAsync<byte[]>("edge"))!.Length + 5);
                break;
            case "max+1":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Send, max + 1));
                expected = ConnectionCloseReason.FrameTooLarge;
                break;
            case "2^31-1":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Send, int.MaxValue));
                expected = ConnectionCloseReason.FrameTooLarge;
                break;
            case "2^31":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Send, 1u << 31));
                expected = ConnectionCloseReason.FrameTooLarge;
                break;
            case "2^32-1":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Send, uint.MaxValue));
                expected = ConnectionCloseReason.FrameTooLarge;
                break;
            case "truncated header":
                await edgy.SendAsync(ChildFrames.Header(FrameKind.Send, 10).AsMemory(0, 3));
                await edgy.UntilReadAsync();
                await edgy.DisconnectAsync();
                expected = ConnectionCloseReason.RemotePartyTerminated;
                break;
            case "valid header then end of stream":
                await edgy.SendAsync((byte[])[.. ChildFrames.Header(FrameKind.Send, 10), 1, 0, 0, 0]);
                await edgy.UntilReadAsync();
                await edgy.DisconnectAsync();
                expected = ConnectionCloseReason.RemotePartyTerminated;
                break;
            case "garbage after a valid frame":
                await edgy.SendAsync((byte[])[.. SetOfBodyLength(100, "before-garbage"), .. ChildFrames.Frame((FrameKind)0xEE, [0xDE, 0xAD])]);
                expected = ConnectionCloseReason.ProtocolViolation;
                check = async () => Assert.NotNull(await harness.App.SharedMemory.GetAsync<byte[]>("before-garbage"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(edge), edge, "unknown edge");
        }

        if (expected is { } reason)
        {
            Assert.Equal(reason, await edgy.Closed.WaitAsync(harness.Timeout));
            await edgy.Ended.WaitAsync(harness.Timeout);
        }
        else
        {
            Assert.True(await edgy.SyncAsync(), "the frame at the edge closed the connection");
        }

        if (check is not null)
        {
            await check();
        }

        Assert.True(await honest.SyncAsync(), "the well-behaved child lost its connection");
        Assert.Equal(StoreStatus.NotFound, await GetStatusAsync(honest, "absent"));
        Assert.Empty(harness.Log.HandlerFailures);
    }

    [Theory]
    [MemberData(nameof(HandshakeLengths))]
    public async Task A_peer_in_its_handshake_at_a_length_edge_is_closed_with_the_right_reason(uint length, string logged)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var honest = harness.Connect("honest");

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(harness.App.Supervisor!.SocketPath));
        var header = ChildFrames.Header(FrameKind.Hello, length);
        byte[] frame = length <= MainHost.MaxHandshakeBodyLength ? [.. header, .. new byte[length]] : header;
        await socket.SendAsync(frame);
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(harness.Timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset: closed as well.
        }

        await UntilAsync(() => harness.Log.Entries.Any(e => e.Message.Contains(logged, StringComparison.Ordinal)), $"the log says \"{logged}\"");
        Assert.True(await honest.SyncAsync());
        await UntilAsync(() => harness.App.Host.PendingConnections == 0, "the peer no longer counts as pending");
    }

    /// <summary>A store Set of key <paramref name="key"/> whose frame body is exactly <paramref name="bodyLength"/> bytes.</summary>
    private static byte[] SetOfBodyLength(uint bodyLength, string key) =>
        ChildFrames.StoreRequest(1, StoreOperation.Set, key, "System.Byte[]", payload: BinPayload((int)(bodyLength - EmptySetBodyLength(key))));

    private static uint EmptySetBodyLength(string key) => (uint)(ChildFrames.StoreRequest(1, StoreOperation.Set, key, "System.Byte[]").Length - FrameFormat.HeaderSize);

    /// <summary>A MessagePack bin 32 of <paramref name="totalLength"/> bytes in all (5 of them its header).</summary>
    private static byte[] BinPayload(int totalLength)
    {
        var payload = new byte[totalLength];
        payload[0] = 0xC6;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), (uint)(totalLength - 5));
        return payload;
    }

    private static async Task<StoreStatus> GetStatusAsync(FakeChild child, string key)
    {
        var reply = await child.RequestAsync(FrameKind.StoreReply, 99, ChildFrames.StoreRequest(99, StoreOperation.Get, key));
        Assert.NotNull(reply);
        return StoreCodec.DecodeReply(reply).Reply.Status;
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + DispatcherHarness.DefaultTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }
}
