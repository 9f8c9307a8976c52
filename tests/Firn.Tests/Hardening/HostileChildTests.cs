using System.Buffers.Binary;
using Firn.Channels;
using Firn.Fuzzing;
using Firn.Rpc;
using Firn.Storage;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hardening;

/// <summary>
/// An authenticated child that breaks the rules on purpose (fake children on socket pairs, see
/// <see cref="DispatcherHarness"/>): past its channel window, and lying about who it is. Identity comes from the
/// connection, and replies only ever go back to the connection that asked.
/// </summary>
public sealed class HostileChildTests
{
    /// <summary>The harness's <c>ChannelSendWindow</c>.</summary>
    private const int Window = 64;

    private static readonly byte[] X = [0xA1, (byte)'x'];

    [Fact]
    public async Task A_child_may_have_exactly_its_window_waiting_and_one_message_more_closes_its_connection()
    {
        await using var harness = await DispatcherHarness.StartAsync(sendWindow: Window);
        var honest = harness.Connect("honest");
        var flooder = harness.Connect("flooder");
        var channelId = await flooder.OpenStringChannelAsync("nobody-reads");

        // Nobody receives, so nothing comes back as credit: the window is all the flooder may have waiting.
        await flooder.SendAsync((byte[])[.. Enumerable.Range(0, Window).SelectMany(_ => ChildFrames.Send(channelId, X))]);
        Assert.True(await flooder.SyncAsync(), "a child was closed for sending exactly its window");
        Assert.Equal(Window, harness.App.Supervisor!.GetChannels().Single(c => c.Name == "nobody-reads").Queued);

        await flooder.SendAsync(ChildFrames.Send(channelId, X));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await flooder.Closed.WaitAsync(harness.Timeout));
        Assert.Contains(harness.Log.Entries, e => e.Message.Contains($"child 'flooder' broke the protocol: it sent more than its window of {Window} messages on channel 'nobody-reads'", StringComparison.Ordinal));

        // What it sent within its window belongs to the channel and is still delivered; the one past it is not.
        var channel = harness.App.GetChannel<string>("nobody-reads");
        for (var i = 0; i < Window; i++)
        {
            Assert.Equal("x", await channel.ReceiveAsync().AsTask().WaitAsync(harness.Timeout));
        }

        Assert.False(channel.TryReceive(out _));
        Assert.True(await honest.SyncAsync(), "the honest child lost its connection");
    }

    [Fact]
    public async Task A_child_may_have_exactly_its_connection_buffer_limit_of_call_arguments_in_flight_and_a_call_more_is_refused()
    {
        const int limit = 1024 * 1024;
        const int calls = 16;
        await using var harness = await DispatcherHarness.StartAsync(connectionBufferLimit: limit);
        var release = new TaskCompletionSource();
        using var held = harness.App.Rpc.Register("main.held", async (byte[] data) =>
        {
            await release.Task;
            return data.Length;
        });
        var caller = harness.Connect("caller");

        // Sixteen argument blocks of 64 KiB, one byte[] each (u16 count, u32 length, bin 32 header, data): exactly the limit.
        var block = ArgumentBlockOfLength(limit / calls);
        Assert.Equal(limit, calls * block.Length);
        await caller.SendAsync((byte[])[.. Enumerable.Range(1, calls).SelectMany(i => ChildFrames.RpcCall((uint)i, "main.held", block))]);
        Assert.True(await caller.SyncAsync());
        Assert.Equal(calls, harness.App.RpcTable.Count);

        var refused = await caller.RequestAsync(FrameKind.RpcReply, 100, ChildFrames.RpcCall(100, "main.held", ChildFrames.ArgumentBlock()));

        Assert.NotNull(refused);
        var reader = new BodyReader(refused);
        Assert.Equal((100u, RpcStatus.LimitExceeded), RpcFrames.ReadOutcome(ref reader));
        Assert.Contains($"{limit} bytes (FirnAppOptions.ConnectionBufferLimit)", RpcError.Decode(reader.Remaining).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(caller.Received, f => f.Kind == FrameKind.RpcReply && f.Id <= calls);

        // Answered calls release their bytes: then a call is made again.
        release.SetResult();
        for (var i = 1u; i <= calls; i++)
        {
            Assert.Equal((byte)RpcStatus.Ok, (await ReceivedAsync(harness, caller, FrameKind.RpcReply, i))[4]);
        }

        var again = await caller.RequestAsync(FrameKind.RpcReply, 101, ChildFrames.RpcCall(101, "main.held", block));
        Assert.Equal((byte)RpcStatus.Ok, again![4]);
    }

    [Fact]
    public async Task An_error_outcome_naming_another_process_reaches_the_main_process_with_the_handlers_own_name()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var handler = harness.Connect("handler");
        await RegisterAsync(handler, "handler.fail");
        var call = harness.App.Rpc.CallAsync<string>("handler.fail", [], harness.Timeout);
        var invocation = await InvocationAsync(harness, handler);

        await handler.SendAsync(ChildFrames.RpcResult(invocation.Id, (byte)RpcStatus.RemoteError, ChildFrames.RpcErrorOutcome("main", "System.InvalidOperationException", "forged", "at nowhere")));

        var error = await Assert.ThrowsAsync<RpcRemoteException>(() => call);
        Assert.Equal("handler", error.ProcessName);
        Assert.Equal("System.InvalidOperationException", error.RemoteTypeName);
        Assert.Contains("forged", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'main'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_outcome_naming_another_process_reaches_a_calling_child_with_the_handlers_own_name()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var handler = harness.Connect("handler");
        var caller = harness.Connect("caller");
        var bystander = harness.Connect("bystander");
        await RegisterAsync(handler, "handler.fail");
        await caller.SendAsync(ChildFrames.RpcCall(7, "handler.fail", ChildFrames.ArgumentBlock()));
        var invocation = await InvocationAsync(harness, handler);

        await handler.SendAsync(ChildFrames.RpcResult(invocation.Id, (byte)RpcStatus.RemoteError, ChildFrames.RpcErrorOutcome("bystander", "Forged", "forged", string.Empty)));

        var reply = await ReceivedAsync(harness, caller, FrameKind.RpcReply, 7);
        var reader = new BodyReader(reply);
        Assert.Equal((7u, RpcStatus.RemoteError), RpcFrames.ReadOutcome(ref reader));
        Assert.Equal(new RpcError("handler", "Forged", "forged", string.Empty), RpcError.Decode(reader.Remaining));
        Assert.True(await bystander.SyncAsync());
        Assert.DoesNotContain(bystander.Received, f => f.Kind == FrameKind.RpcReply);
    }

    [Fact]
    public async Task The_handler_of_a_child_to_child_call_is_told_the_callers_connection_name()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var bob = harness.Connect("bob");
        var alice = harness.Connect("alice");
        await RegisterAsync(bob, "bob.who");

        // Nothing in a call names its caller; the main process adds the name of the connection it came from.
        await alice.SendAsync(ChildFrames.RpcCall(3, "bob.who", ChildFrames.ArgumentBlock()));
        var invocation = await InvocationAsync(harness, bob);

        Assert.Equal("alice", invocation.Caller);
        Assert.Equal("bob.who", invocation.Method);
        await bob.SendAsync(ChildFrames.RpcResult(invocation.Id, (byte)RpcStatus.Ok, [0xA5, .. "alice"u8]));
        var reply = await ReceivedAsync(harness, alice, FrameKind.RpcReply, 3);
        Assert.Equal([0xA5, .. "alice"u8], reply.AsSpan(5).ToArray());
    }

    [Fact]
    public async Task The_harness_fails_a_test_in_which_a_fake_child_received_a_reply_it_never_asked_for()
    {
        var harness = await DispatcherHarness.StartAsync();
        var child = harness.Connect("child");
        Assert.True(await child.SyncAsync());

        // The main process's side of this child's connection, used as a broken main process would: a reply to request
        // 4242, which the child never made, and one to a request it did make.
        Span<byte> unasked = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32LittleEndian(unasked, 4242);
        child.Connection.Send(FrameKind.StoreReply, unasked);
        Assert.NotNull(await child.RequestAsync(FrameKind.StoreReply, 1, ChildFrames.StoreRequest(1, StoreOperation.Get, "k")));

        var (kind, body) = Assert.Single(child.Unsolicited);
        Assert.Equal((FrameKind.StoreReply, 4242u), (kind, BinaryPrimitives.ReadUInt32LittleEndian(body)));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await harness.DisposeAsync());
        Assert.Contains("'child' received StoreReply:", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>An argument block of exactly <paramref name="length"/> bytes holding one byte[] (MessagePack bin 32).</summary>
    private static byte[] ArgumentBlockOfLength(int length)
    {
        var data = new byte[length - 2 - 4 - 5];
        byte[] bin = [0xC6, 0, 0, 0, 0, .. data];
        BinaryPrimitives.WriteUInt32BigEndian(bin.AsSpan(1), (uint)data.Length);
        var block = ChildFrames.ArgumentBlock(bin);
        Assert.Equal(length, block.Length);
        return block;
    }


    private static async Task RegisterAsync(FakeChild child, string method)
    {
        var reply = await child.RequestAsync(FrameKind.RpcRegistered, 99, ChildFrames.RpcRegister(99, method));
        Assert.NotNull(reply);
        Assert.Equal(0, reply[4]);
    }

    /// <summary>The body of the first frame of <paramref name="kind"/> and <paramref name="id"/> that <paramref name="child"/> receives.</summary>
    private static async Task<byte[]> ReceivedAsync(DispatcherHarness harness, FakeChild child, FrameKind kind, uint id)
    {
        var deadline = DateTime.UtcNow + harness.Timeout;
        while (true)
        {
            var frame = child.Received.FirstOrDefault(f => f.Kind == kind && f.Id == id);
            if (frame.Body is not null)
            {
                return frame.Body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{child.Name}' received no {kind} {id}.");
            await Task.Delay(5);
        }
    }

    /// <summary>The first invocation <paramref name="handler"/> receives.</summary>
    private static async Task<(uint Id, string Method, string Caller)> InvocationAsync(DispatcherHarness harness, FakeChild handler)
    {
        var deadline = DateTime.UtcNow + harness.Timeout;
        while (true)
        {
            var frame = handler.Received.FirstOrDefault(f => f.Kind == FrameKind.RpcInvoke);
            if (frame.Body is not null)
            {
                var reader = new BodyReader(frame.Body);
                var (id, _, _, method, caller) = RpcFrames.ReadInvoke(ref reader);
                return (id, method, caller);
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{handler.Name}' was not invoked.");
            await Task.Delay(5);
        }
    }
}
