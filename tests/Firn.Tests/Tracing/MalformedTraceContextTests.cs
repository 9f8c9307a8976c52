using Firn.Channels;
using Firn.Fuzzing;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Tracing;

/// <summary>
/// Trace context from an authenticated child (fake children on socket pairs, see <see cref="DispatcherHarness"/>): a
/// well-formed one is taken off before the message is read; a malformed one, or one where the handshake did not agree
/// on "trace-context", closes that child's connection and no other.
/// </summary>
public sealed class MalformedTraceContextTests
{
    private static readonly byte[] X = [0xA1, (byte)'x'];

    [Fact]
    public async Task A_well_formed_trace_context_is_taken_off_the_message_and_a_malformed_one_closes_only_its_connection()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var honest = harness.Connect("honest");
        var tracer = harness.Connect("tracer");
        tracer.Connection.Capabilities = Capabilities.TraceContext;
        var channelId = await tracer.OpenStringChannelAsync("traced");

        byte[] envelope = [0xC1, 1, .. Enumerable.Repeat((byte)0xAB, 16), .. Enumerable.Repeat((byte)0xCD, 8), 0, 0];
        await tracer.SendAsync(ChildFrames.Send(channelId, [.. envelope, .. X]));
        Assert.Equal("x", await harness.App.GetChannel<string>("traced").ReceiveAsync().AsTask().WaitAsync(harness.Timeout));
        Assert.True(await tracer.SyncAsync());

        // An all-zero trace id is no trace context.
        byte[] malformed = [.. envelope];
        Array.Clear(malformed, 2, 16);
        await tracer.SendAsync(ChildFrames.Send(channelId, [.. malformed, .. X]));
        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await tracer.Closed.WaitAsync(harness.Timeout));
        Assert.Contains(harness.Log.Entries, e => e.Message.Contains("child 'tracer'", StringComparison.Ordinal) && e.Message.Contains("trace id", StringComparison.Ordinal));
        Assert.True(await honest.SyncAsync(), "the honest child lost its connection");
    }

    [Fact]
    public async Task A_payload_that_starts_with_0xC1_from_a_child_without_the_capability_is_its_own_bytes()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var old = harness.Connect("old");
        var channelId = await old.OpenStringChannelAsync("untraced");

        // Not a trace context (too short to be one): the main process neither checks nor takes off anything.
        await old.SendAsync(ChildFrames.Send(channelId, [0xC1, 0x00]));
        Assert.True(await old.SyncAsync(), "a child without the capability was closed for its own payload");
    }

    [Fact]
    public async Task A_call_with_the_trace_context_flag_on_a_connection_that_did_not_agree_closes_it()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var honest = harness.Connect("honest");
        var caller = harness.Connect("caller");
        byte[] call = [.. new BodyWriter().WriteUInt32(1).WriteByte(2).WriteUInt32(0).WriteString("main.nothing").Written, 0, 0];
        await caller.SendAsync(Frames.Encode(FrameKind.RpcCall, call));
        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await caller.Closed.WaitAsync(harness.Timeout));
        Assert.True(await honest.SyncAsync(), "the honest child lost its connection");
    }

}
