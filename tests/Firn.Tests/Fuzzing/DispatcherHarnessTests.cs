using Firn.Fuzzing;
using Firn.Hosting;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Fuzzing;

/// <summary>The in-process harness itself: fake children are real sessions of a real main process, and independent of each other.</summary>
public sealed class DispatcherHarnessTests
{
    [Fact]
    public async Task A_fake_child_reaches_the_real_store_and_the_main_process_sees_its_writes()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var child = harness.Connect("writer");

        var reply = await child.RequestAsync(FrameKind.StoreReply, 1, ChildFrames.StoreRequest(1, StoreOperation.Set, "k", "System.Int32", payload: [0x2A]));

        Assert.NotNull(reply);
        Assert.Equal(StoreStatus.Ok, StoreCodec.DecodeReply(reply).Reply.Status);
        Assert.Equal(42, harness.App.SharedMemory.Get<int>("k"));
    }

    [Fact]
    public async Task Garbage_from_one_fake_child_closes_only_its_connection()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var hostile = harness.Connect("hostile");
        var honest = harness.Connect("honest");
        Assert.True(await honest.SyncAsync());

        await hostile.SendAsync(ChildFrames.Frame((FrameKind)0xEE, [1, 2, 3]));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await hostile.Closed.WaitAsync(harness.Timeout));
        await hostile.Ended.WaitAsync(harness.Timeout);
        Assert.True(await honest.SyncAsync());
        Assert.False(honest.Closed.IsCompleted);
        Assert.Contains(harness.Log.Entries, e => e.Message.Contains("fake child 'hostile' closed: ProtocolViolation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ready_and_control_frames_reach_the_session_owner()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var child = harness.Connect("lifecycle");

        await child.SendAsync((byte[])[.. ChildFrames.Ready(), .. ChildFrames.Control((byte)ControlRequest.RestartSelf)]);

        Assert.True(await child.SyncAsync());
        Assert.Equal(1, child.Owner.ReadyCount);
        Assert.Equal([ControlRequest.RestartSelf], child.Owner.ControlRequests);
    }

    [Fact]
    public async Task Many_fake_children_at_once_each_get_their_own_replies()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var children = Enumerable.Range(0, 20).Select(i => harness.Connect($"child-{i}")).ToArray();

        var replies = await Task.WhenAll(children.Select((child, i) =>
            child.RequestAsync(FrameKind.StoreReply, (uint)i, ChildFrames.StoreRequest((uint)i, StoreOperation.Increment, "counter", delta: 1))));

        Assert.All(replies, reply => Assert.Equal(StoreStatus.Ok, StoreCodec.DecodeReply(reply).Reply.Status));
        Assert.Equal(20, harness.App.SharedMemory.Get<long>("counter"));
    }

    [Fact]
    public async Task A_direct_session_handles_frames_on_the_calling_thread()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var direct = harness.ConnectDirect("direct");

        Assert.Null(direct.Feed(ChildFrames.StoreRequest(7, StoreOperation.Set, "d", "System.String", payload: [0xA1, 0x78])));
        Assert.Equal("x", harness.App.SharedMemory.Get<string>("d"));
        Assert.Equal(ConnectionCloseReason.ProtocolViolation, direct.Feed(ChildFrames.Frame((FrameKind)0xEE, [])));
    }
}
