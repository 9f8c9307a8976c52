using System.Diagnostics;
using Firn.Fuzzing;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;
using MessagePack;

namespace Firn.Tests.Fuzzing;

/// <summary>Alone: the allocation checks read the process-wide allocation counter.</summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>
/// MessagePack bombs from a child, read by the main process's own code: stored values, channel messages,
/// publications, RPC arguments and results. Each reader gets a clear error, quickly and without a large allocation,
/// and goes on reading good data; the child that sent the bomb is not even disconnected (the bytes are opaque to the
/// router), and the main process never picks a .NET type from them.
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class MainReaderBombTests
{
    /// <summary>Every bomb is under a kilobyte but one (300 KB of nesting): 64 MiB is a loose bound that a trusting reader would blow through.</summary>
    private const long AllocationBound = 64L * 1024 * 1024;

    public static TheoryData<string> BombNames => [.. Bombs.MessagePack.Select(b => b.Name)];

    [Theory]
    [MemberData(nameof(BombNames))]
    public async Task A_stored_bomb_fails_Get_and_GetAll_with_the_key_named(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var child = harness.Connect("bomber");
        await SetAsync(child, "bomb", "System.Object", Payload(name));
        await SetAsync(child, "record", "Firn.Tests.Fuzzing.MainReaderBombTests+Point", Payload(name));
        var memory = harness.App.SharedMemory;

        var asObject = Bounded(() => Assert.Throws<StoreException>(() => memory.Get<object?>("bomb")));
        // A record reader skips keys it does not know (the nested maps under "a"): it may succeed, with defaults.
        var asRecord = Bounded(() => Record.Exception(() => memory.Get<Point>("record")));
        var all = Bounded(() => Assert.Throws<StoreException>(() => memory.GetAll()));

        Assert.Contains("key 'bomb'", asObject.Message, StringComparison.Ordinal);
        if (asRecord is not null)
        {
            Assert.Contains("key 'record'", Assert.IsType<StoreException>(asRecord).Message, StringComparison.Ordinal);
        }

        Assert.Matches("key '(bomb|record)'", all.Message);
        memory.Delete("bomb");
        memory.Delete("record");
        memory.Set("fine", 1);
        Assert.Equal(1, Assert.Single(memory.GetAll()).Value is var value ? Convert.ToInt32(value, null) : 0);
        Assert.True(await child.SyncAsync());
    }

    [Theory]
    [MemberData(nameof(BombNames))]
    public async Task A_bomb_on_a_channel_fails_that_receive_and_the_next_message_is_read(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var channel = harness.App.GetChannel<object?>("bombs");
        var child = harness.Connect("bomber");
        var opened = await child.RequestAsync(FrameKind.ChannelOpened, 1, ChildFrames.OpenChannel(1, "bombs", "System.Object"));
        Assert.NotNull(opened);
        var id = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(opened.AsSpan(5));

        await child.SendAsync((byte[])[.. ChildFrames.Send(id, Payload(name)), .. ChildFrames.Send(id, [0xA2, (byte)'o', (byte)'k'])]);
        Assert.True(await child.SyncAsync());

        Bounded(() => Assert.ThrowsAny<MessagePackSerializationException>(() => channel.Receive(harness.Timeout)));
        Assert.Equal("ok", channel.Receive(harness.Timeout));
    }

    [Theory]
    [MemberData(nameof(BombNames))]
    public async Task A_bomb_published_to_a_subscriber_is_logged_and_skipped(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var received = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = harness.App.SharedMemory.Subscribe<object?>("bombs", data => received.TrySetResult(data));
        var child = harness.Connect("bomber");

        await child.SendAsync((byte[])[.. ChildFrames.Publish("bombs", "System.Object", Payload(name)), .. ChildFrames.Publish("bombs", "System.Object", [0xA2, (byte)'o', (byte)'k'])]);

        Assert.Equal("ok", await received.Task.WaitAsync(harness.Timeout));
        Assert.True(harness.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Error, "A publication on 'bombs' ("));
        Assert.True(await child.SyncAsync());
    }

    [Theory]
    [MemberData(nameof(BombNames))]
    public async Task A_bomb_as_an_argument_is_refused_before_the_handler_runs(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var handled = 0;
        using var registration = harness.App.Rpc.Register("main.take", (object? value) => Interlocked.Increment(ref handled));
        var child = harness.Connect("bomber");

        var reply = await child.RequestAsync(FrameKind.RpcReply, 1, ChildFrames.RpcCall(1, "main.take", ChildFrames.ArgumentBlock(Payload(name))));

        Assert.NotNull(reply);
        Assert.Equal((byte)RpcStatus.InvalidArguments, reply[4]);
        Assert.Contains("could not be read as System.Object", Firn.Rpc.RpcError.Decode(reply.AsSpan(5)).Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref handled));
    }

    [Theory]
    [MemberData(nameof(BombNames))]
    public async Task A_bomb_as_a_result_fails_the_main_process_call(string name)
    {
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var child = harness.Connect("bomber");
        Assert.NotNull(await child.RequestAsync(FrameKind.RpcRegistered, 1, ChildFrames.RpcRegister(1, "child.get")));
        var call = harness.App.Rpc.CallAsync<object?>("child.get");
        var invoke = await UntilInvokedAsync(harness, child);

        await child.SendAsync(ChildFrames.RpcResult(invoke, (byte)RpcStatus.Ok, Payload(name)));

        var thrown = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(harness.Timeout));
        Assert.Contains("could not be read as System.Object", thrown.Message, StringComparison.Ordinal);
        Assert.True(await child.SyncAsync());
    }

    [Fact]
    public async Task Reading_a_message_of_empty_maps_as_object_allocates_in_proportion_to_its_size()
    {
        // The costliest valid MessagePack for an object reader: one byte on the wire, one dictionary in memory.
        // Not a bomb (it is a valid value, and the cost is linear), but it bounds what a message can cost: see README.
        await using var harness = await DispatcherHarness.StartAsync(maxMessageSize: 1024 * 1024);
        var payload = Bombs.EmptyMaps(1_000_000);
        var child = harness.Connect("bomber");
        await SetAsync(child, "maps", "System.Object", payload);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var value = harness.App.SharedMemory.Get<object?>("maps");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(1_000_000, Assert.IsType<object[]>(value).Length);
        Assert.InRange(allocated, payload.Length, 256L * payload.Length);
    }

    private static byte[] Payload(string name) => Bombs.MessagePack.Single(b => b.Name == name).Bytes;

    private static async Task SetAsync(FakeChild child, string key, string typeName, byte[] payload)
    {
        var reply = await child.RequestAsync(FrameKind.StoreReply, 1, ChildFrames.StoreRequest(1, StoreOperation.Set, key, typeName, payload: payload));
        Assert.NotNull(reply);
        Assert.Equal(StoreStatus.Ok, StoreCodec.DecodeReply(reply).Reply.Status);
    }

    /// <summary>Runs a read that must fail fast and cheaply: bounded allocation, and seconds at most even on a loaded machine.</summary>
    private static T Bounded<T>(Func<T> read)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = read();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < AllocationBound, $"The read allocated {allocated:N0} bytes.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"The read took {clock.Elapsed}.");
        return result;
    }

    private static async Task<uint> UntilInvokedAsync(DispatcherHarness harness, FakeChild child)
    {
        var deadline = DateTime.UtcNow + harness.Timeout;
        while (true)
        {
            var invoke = child.Received.FirstOrDefault(f => f.Kind == FrameKind.RpcInvoke);
            if (invoke.Body is not null)
            {
                return invoke.Id;
            }

            Assert.True(DateTime.UtcNow < deadline, "The child was not invoked.");
            await Task.Delay(5);
        }
    }

    /// <summary>A record type a main-process reader might ask for.</summary>
    public sealed record Point(int X, int Y, List<Point>? Children);
}
