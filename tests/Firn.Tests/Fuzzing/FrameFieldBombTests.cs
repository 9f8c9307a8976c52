using Firn.Fuzzing;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Fuzzing;

/// <summary>
/// Fields of child frames that lie (lengths, counts, statuses, text) in every frame where the main process reads
/// one: the lying child is disconnected with a protocol violation, and what it left behind never costs another
/// child its connection.
/// </summary>
public sealed class FrameFieldBombTests
{
    public static TheoryData<string> ArgumentBlockNames => [.. Bombs.ArgumentBlocks.Select(b => b.Name)];

    public static TheoryData<string> ErrorOutcomeNames => [.. Bombs.ErrorOutcomes.Select(b => b.Name)];

    public static TheoryData<string, byte[]> LyingFields => new()
    {
        { "store request whose expected value announces 4 GiB", ChildFrames.StoreRequest(1, StoreOperation.CompareAndSet, "k", "System.Int32", expected: [1], expectedLength: uint.MaxValue) },
        { "store request whose expected value announces 2 GiB", ChildFrames.StoreRequest(1, StoreOperation.CompareAndSet, "k", "System.Int32", expected: [1], expectedLength: 1u << 31) },
        { "store request whose expected value announces 2 GiB - 1", ChildFrames.StoreRequest(1, StoreOperation.CompareAndSet, "k", "System.Int32", expected: [1], expectedLength: int.MaxValue) },
        { "store request with an empty key", ChildFrames.StoreRequest(1, StoreOperation.Get, string.Empty) },
        { "store request with a 1025-character key", ChildFrames.StoreRequest(1, StoreOperation.Get, new string('k', StoreKeys.MaxLength + 1)) },
        { "store request with a negative time to live", ChildFrames.StoreRequest(1, StoreOperation.Set, "k", "System.Int32", timeToLiveMs: -1, payload: [1]) },
        { "store request with operation 0", ChildFrames.StoreRequest(1, 0, "k") },
        { "store request with operation 255", ChildFrames.StoreRequest(1, (StoreOperation)255, "k") },
        { "open channel whose name announces 65535 bytes", ChildFrames.Frame(FrameKind.OpenChannel, [1, 0, 0, 0, 0xFF, 0xFF, (byte)'c']) },
        { "open channel with unknown flags", ChildFrames.OpenChannel(1, "c", "System.String", flags: 0x82) },
        { "subscribe whose topic announces 65535 bytes", ChildFrames.Frame(FrameKind.Subscribe, [1, 0, 0, 0, 0xFF, 0xFF, (byte)'t']) },
        { "publish whose type name announces 65535 bytes", ChildFrames.Frame(FrameKind.Publish, [1, 0, (byte)'t', 0xFF, 0xFF, (byte)'T']) },
        { "publish to a pattern", ChildFrames.Publish("orders.*", "System.String", [0xA1, 0x78]) },
        { "register whose method announces 65535 bytes", ChildFrames.Frame(FrameKind.RpcRegister, [1, 0, 0, 0, 0xFF, 0xFF, (byte)'m']) },
        { "call with unknown flags", ChildFrames.RpcCall(1, "m", ChildFrames.ArgumentBlock(), flags: 0x80) },
        { "call announcing a stream credit of 2^32-1", ChildFrames.RpcCall(1, "m", ChildFrames.ArgumentBlock(), flags: 1, credit: uint.MaxValue) },
        { "result with status 99", ChildFrames.RpcResult(1, 99, []) },
        { "ack of 2^32-1 messages", ChildFrames.Ack(1, uint.MaxValue) },
        { "attach with a window of 2^32-1", ChildFrames.Attach(1, uint.MaxValue, 1) },
        { "control request 0", ChildFrames.Control(0) },
        { "control request 255", ChildFrames.Control(255) },
        { "a frame kind the main process sends", ChildFrames.Frame(FrameKind.Deliver, [1, 0, 0, 0]) },
        { "a second Hello", ChildFrames.Hello("honest", "secret") },
    };

    [Theory]
    [MemberData(nameof(LyingFields))]
    public async Task A_frame_with_a_lying_field_closes_only_the_liar(string name, byte[] frame)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var honest = harness.Connect("honest");
        var liar = harness.Connect("liar");

        await liar.SendAsync(frame);

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await liar.Closed.WaitAsync(harness.Timeout));
        await AssertStillServedAsync(harness, honest, name);
    }

    [Theory]
    [MemberData(nameof(ArgumentBlockNames))]
    public async Task A_call_whose_argument_block_lies_closes_the_caller_and_never_reaches_the_handler(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var handled = 0;
        using var registration = harness.App.Rpc.Register("main.take", (object? value) => Interlocked.Increment(ref handled));
        var honest = harness.Connect("honest");
        var liar = harness.Connect("liar");

        await liar.SendAsync(ChildFrames.RpcCall(1, "main.take", Bombs.ArgumentBlocks.Single(b => b.Name == name).Block));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await liar.Closed.WaitAsync(harness.Timeout));
        var reply = await honest.RequestAsync(FrameKind.RpcReply, 5, ChildFrames.RpcCall(5, "main.take", ChildFrames.ArgumentBlock([0xC0])));
        Assert.NotNull(reply);
        Assert.Equal((byte)RpcStatus.Ok, reply[4]);
        Assert.Equal(1, Volatile.Read(ref handled));
        await AssertStillServedAsync(harness, honest, name);
    }

    [Theory]
    [MemberData(nameof(ErrorOutcomeNames))]
    public async Task A_malformed_error_outcome_closes_the_handler_and_the_caller_hears_it_exited(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var caller = harness.Connect("caller");
        var handler = harness.Connect("handler");
        Assert.NotNull(await handler.RequestAsync(FrameKind.RpcRegistered, 1, ChildFrames.RpcRegister(1, "h.m")));
        var invoked = await InvocationAsync(harness, handler, caller, callId: 9, "h.m");

        await handler.SendAsync(ChildFrames.RpcResult(invoked, (byte)RpcStatus.RemoteError, Bombs.ErrorOutcomes.Single(b => b.Name == name).Outcome));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await handler.Closed.WaitAsync(harness.Timeout));
        var reply = await UntilReceivedAsync(harness, caller, FrameKind.RpcReply, 9);
        Assert.Equal((byte)RpcStatus.ProcessExited, reply[4]);
        await AssertStillServedAsync(harness, caller, name);
    }

    [Fact]
    public async Task A_value_stored_as_a_64_bit_integer_that_is_not_one_fails_only_the_increment()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var liar = harness.Connect("liar");
        var honest = harness.Connect("honest");
        Assert.NotNull(await liar.RequestAsync(FrameKind.StoreReply, 1, ChildFrames.StoreRequest(1, StoreOperation.Set, "n", "System.Int64", payload: [0xC1])));

        var reply = await honest.RequestAsync(FrameKind.StoreReply, 2, ChildFrames.StoreRequest(2, StoreOperation.Increment, "n", delta: 1));

        Assert.NotNull(reply);
        var decoded = StoreCodec.DecodeReply(reply).Reply;
        Assert.Equal(StoreStatus.Error, decoded.Status);
        Assert.Contains("'n'", decoded.Text, StringComparison.Ordinal);
        var thrown = Assert.Throws<StoreException>(() => harness.App.SharedMemory.Increment("n"));
        Assert.Contains("'n'", thrown.Message, StringComparison.Ordinal);
        await AssertStillServedAsync(harness, honest, "poisoned integer");
    }

    [Fact]
    public async Task A_type_name_that_is_not_UTF_8_closes_the_child_that_sent_it()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var liar = harness.Connect("liar");
        var honest = harness.Connect("honest");

        // 30,000 bytes of 0xFF would read as 30,000 U+FFFD: 90,000 bytes when written again, too long for any reply.
        await liar.SendAsync(Bombs.SetWithInvalidUtf8TypeName(1, "k", 30_000));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await liar.Closed.WaitAsync(harness.Timeout));
        var reply = await honest.RequestAsync(FrameKind.StoreReply, 2, ChildFrames.StoreRequest(2, StoreOperation.Get, "k"));
        Assert.NotNull(reply);
        Assert.Equal(StoreStatus.NotFound, StoreCodec.DecodeReply(reply).Reply.Status);
        await AssertStillServedAsync(harness, honest, "invalid UTF-8");
    }

    [Fact]
    public async Task A_channel_with_the_longest_type_name_is_refused_to_another_type_with_a_reply_that_fits()
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var first = harness.Connect("first");
        var second = harness.Connect("second");
        var longest = new string('T', ushort.MaxValue);
        Assert.NotNull(await first.RequestAsync(FrameKind.ChannelOpened, 1, ChildFrames.OpenChannel(1, "c", longest)));

        var reply = await second.RequestAsync(FrameKind.ChannelOpened, 2, ChildFrames.OpenChannel(2, "c", longest[1..] + "U"));

        Assert.NotNull(reply);
        Assert.Equal(1, reply[4]);
        await AssertStillServedAsync(harness, second, "long channel type");
        var list = await second.RequestAsync(FrameKind.ChannelList, 3, ChildFrames.ListChannels(3));
        Assert.NotNull(list);
        Assert.Equal(longest, Assert.Single(Firn.Channels.ChannelListCodec.DecodeReply(list).Channels!).TypeName);
    }

    [Fact]
    public async Task A_value_with_the_longest_type_name_is_refused_to_an_increment_with_a_reply_that_fits()
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var first = harness.Connect("first");
        var second = harness.Connect("second");
        var longest = new string('T', ushort.MaxValue);
        Assert.NotNull(await first.RequestAsync(FrameKind.StoreReply, 1, ChildFrames.StoreRequest(1, StoreOperation.Set, "k", longest, payload: [0xC0])));

        var reply = await second.RequestAsync(FrameKind.StoreReply, 2, ChildFrames.StoreRequest(2, StoreOperation.Increment, "k", delta: 1));

        Assert.NotNull(reply);
        Assert.Equal(StoreStatus.TypeMismatch, StoreCodec.DecodeReply(reply).Reply.Status);
        await AssertStillServedAsync(harness, second, "long value type");
    }

    [Fact]
    public async Task A_caller_granting_an_overflowing_stream_credit_is_closed_and_the_handler_is_not()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var caller = harness.Connect("caller");
        var handler = harness.Connect("handler");
        Assert.NotNull(await handler.RequestAsync(FrameKind.RpcRegistered, 1, ChildFrames.RpcRegister(1, "h.stream")));
        var invoked = await InvocationAsync(harness, handler, caller, callId: 4, "h.stream", stream: true);

        await caller.SendAsync(ChildFrames.RpcStreamCredit(4, int.MaxValue));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await caller.Closed.WaitAsync(harness.Timeout));
        await caller.Ended.WaitAsync(harness.Timeout);
        await handler.SendAsync(ChildFrames.RpcStreamItem(invoked, [0xC0]));
        Assert.DoesNotContain(handler.Received, f => f.Kind == FrameKind.RpcInvocationCredit && f.Body.AsSpan(4).SequenceEqual(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F }));
        await AssertStillServedAsync(harness, handler, "overflowing credit");
    }

    /// <summary>Has <paramref name="caller"/> call <paramref name="method"/> and returns the invocation id <paramref name="handler"/> receives.</summary>
    private static async Task<uint> InvocationAsync(DispatcherHarness harness, FakeChild handler, FakeChild caller, uint callId, string method, bool stream = false)
    {
        await caller.SendAsync(ChildFrames.RpcCall(callId, method, ChildFrames.ArgumentBlock(), flags: stream ? (byte)1 : (byte)0, credit: stream ? 1u : 0u));
        Assert.True(await caller.SyncAsync());
        var invoke = await UntilReceivedAsync(harness, handler, FrameKind.RpcInvoke, null);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(invoke);
    }

    private static async Task<byte[]> UntilReceivedAsync(DispatcherHarness harness, FakeChild child, FrameKind kind, uint? id)
    {
        var deadline = DateTime.UtcNow + harness.Timeout;
        while (true)
        {
            var frame = child.Received.FirstOrDefault(f => f.Kind == kind && (id is null || f.Id == id));
            if (frame.Body is not null)
            {
                return frame.Body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{child.Name}' received no {kind} {id}.");
            await Task.Delay(5);
        }
    }

    private static async Task AssertStillServedAsync(DispatcherHarness harness, FakeChild honest, string what)
    {
        Assert.True(await honest.SyncAsync(), $"'{honest.Name}' lost its connection after: {what}");
        var reply = await honest.RequestAsync(FrameKind.StoreReply, 77, ChildFrames.StoreRequest(77, StoreOperation.Set, "still-served", "System.Int32", payload: [1]));
        Assert.NotNull(reply);
        Assert.Equal(StoreStatus.Ok, StoreCodec.DecodeReply(reply).Reply.Status);
        Assert.Empty(harness.Log.HandlerFailures);
    }
}
