using Firn.Tests.Support;

namespace Firn.Tests.Contracts.Channels;

/// <summary>
/// What a channel promises between two processes, the process under test and the main process, in both directions:
/// delivery in either receive mode, order per sender, close, back-pressure from a slow
/// receiver, and channels that travel inside calls. The main process alone has no second process (it never receives
/// its own messages), so only the child flavours run these.
/// </summary>
public abstract class ChannelDeliveryContract : ContractTests
{
    private protected ChannelDeliveryContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task Messages_travel_from_main_to_the_subject_and_back_in_active_mode()
    {
        var there = Name("there");
        var first = Subject.RunAsync("channel.receive", there, "string");

        await Peer.RunAsync("channel.send-sync", there, "string", "hello");
        await Peer.RunAsync("channel.send", there, "string", "world");

        Assert.Equal("hello", await first);
        Assert.Equal("world", await Subject.RunAsync("channel.receive-sync", there, "string", TestApps.Timeout));
        Assert.Contains("mode=Active", await Subject.RunAsync("channel.state", there, "string"), StringComparison.Ordinal);

        var back = Name("back");
        await Subject.RunAsync("channel.send", back, "string", "a");
        await Subject.RunAsync("channel.send-sync", back, "string", "b");
        Assert.Equal("a", await Peer.RunAsync("channel.receive", back, "string"));
        Assert.Equal("b", await Peer.RunAsync("channel.receive-sync", back, "string", TestApps.Timeout));
    }

    [ContractFact]
    public async Task A_message_wakes_a_receiver_that_sleeps_in_the_synchronous_Receive_in_either_direction()
    {
        // The message comes long after the receiver's short poll, so it wakes a receiver asleep on its buffer.
        var there = Name("sleeper-there");
        var receiving = Subject.RunAsync("channel.receive-on-thread", there, "string", 120_000);
        await TestApps.UntilAsync(() => IsActiveReceiver(there, Subject.ProcessName), "the subject receives on the channel");
        await Peer.RunAsync("channel.send", there, "string", "late");
        Assert.Equal("late", await receiving);

        var back = Name("sleeper-back");
        receiving = Peer.RunAsync("channel.receive-on-thread", back, "string", 120_000);
        await TestApps.UntilAsync(() => IsActiveReceiver(back, Peer.ProcessName), "the main process receives on the channel");
        await Subject.RunAsync("channel.send", back, "string", "later");
        Assert.Equal("later", await receiving);
    }

    [ContractFact]
    public async Task Passive_handlers_run_with_sync_and_async_filters_and_survive_a_throwing_handler()
    {
        // The subject's built-in passive channel, opened for it by the handshake.
        var passive = Subject.ProcessName + "-passive";
        var replies = Name("replies");
        await Subject.RunAsync("channel.passive-echo", passive, replies);

        foreach (var message in new[] { "apple", "crash", "i:42", "banana", "cherry", "avocado" })
        {
            await Peer.RunAsync("channel.send", passive, "object", message);
        }

        var got = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            got.Add(await Peer.RunAsync("channel.receive", replies, "string"));
        }

        // "crash" threw in its handler, 42 and "cherry" matched no filter; the loop went on after the failure.
        Assert.Equal(["sync:apple", "async:banana", "sync:avocado"], got);
        Assert.Equal("false", await Peer.RunAsync("channel.try-receive", replies, "string"));
    }

    [ContractFact]
    public async Task Messages_from_one_sender_arrive_in_order_both_ways()
    {
        const int count = 20_000;
        var toMain = Name("to-main");
        var toSubject = Name("to-subject");

        var mainReads = Peer.RunAsync("channel.receive-ints", toMain, count);
        var subjectReads = Subject.RunAsync("channel.receive-ints", toSubject, count);
        await Task.WhenAll(Subject.RunAsync("channel.send-many", toMain, 0, count), Peer.RunAsync("channel.send-many", toSubject, 0, count));

        Assert.Equal("in order", await mainReads);
        Assert.Equal("in order", await subjectReads);
    }

    [ContractFact]
    public async Task Closing_a_channel_hands_a_reader_in_the_other_process_what_was_sent_then_ends_it()
    {
        var fromMain = Name("from-main");
        var subjectReads = Subject.LinesAsync("channel.read-all", fromMain, "string");
        await TestApps.UntilAsync(() => IsActiveReceiver(fromMain, Subject.ProcessName), "the subject reads the channel");
        await Peer.RunAsync("channel.send", fromMain, "string", "x");
        await Peer.RunAsync("channel.send", fromMain, "string", "y");
        await Peer.RunAsync("channel.close", fromMain, "string");

        Assert.Equal(["x", "y"], await subjectReads);
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.send", fromMain, "string", "too late"));

        var fromSubject = Name("from-subject");
        var mainReads = Peer.LinesAsync("channel.read-all", fromSubject, "string");
        await TestApps.UntilAsync(() => IsActiveReceiver(fromSubject, Main.ProcessName), "the main process reads the channel");
        await Subject.RunAsync("channel.send", fromSubject, "string", "x");
        await Subject.RunAsync("channel.send", fromSubject, "string", "y");
        await Subject.RunAsync("channel.close", fromSubject, "string");

        Assert.Equal(["x", "y"], await mainReads);
        await Assert.ThrowsAsync<ChannelClosedException>(() => Peer.RunAsync("channel.send", fromSubject, "string", "too late"));
    }

    [ContractFact]
    public async Task A_slow_receiver_bounds_what_is_buffered_and_the_sender_feels_back_pressure()
    {
        const int receiveBuffer = 16;
        var name = Name("slow-lane");
        var stalled = Subject.RunAsync("channel.stall", name, receiveBuffer);
        await Peer.RunAsync("channel.open", name, "int", null, ChannelFullMode.Fail);

        await Peer.RunAsync("channel.send", name, "int", 0);
        Assert.Equal("0", await stalled);

        // Acknowledgements are batched: once the first one is in, nothing the subject does moves the router any more.
        await TestApps.UntilAsync(() => Main.Router.GetStats(name)!.Value.Unacknowledged == 0, "the consumed message was acknowledged");

        // The subject consumed one message and holds a window of 16; the router holds at most the sender's window.
        var sent = 1 + int.Parse((await Peer.TextAsync("channel.try-send-many", name, 1, 10_000))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sent < 10_000, "the sender was never stopped");
        await Assert.ThrowsAsync<ChannelFullException>(() => Peer.RunAsync("channel.send-sync", name, "int", -1));
        await TestApps.UntilAsync(() => Main.Router.GetStats(name)!.Value.Unacknowledged == receiveBuffer, "the subject's window is full");
        var stats = Main.Router.GetStats(name)!.Value;
        Assert.Equal(receiveBuffer, stats.Unacknowledged);
        Assert.True(stats.Pending <= ContractTarget.SendWindow, $"pending {stats.Pending} exceeds the send window");
        Assert.Equal(1 + receiveBuffer + stats.Pending, sent);
        Assert.Equal("false", await Peer.RunAsync("channel.try-send", name, "int", -1));
    }

    [ContractFact]
    public async Task A_message_taken_while_others_wait_is_acknowledged_though_the_receiver_takes_no_more()
    {
        // Ten messages wait in the subject's buffer; it takes one and no more. Its acknowledgement must not wait for the
        // buffer to run dry: the router counts nine unconsumed, and a crash now would deliver nine again, not ten.
        var held = Name("held");
        Assert.Equal("false", await Subject.RunAsync("channel.try-receive", held, "string"));
        await TestApps.UntilAsync(() => IsActiveReceiver(held, Subject.ProcessName), "the subject receives on the channel");
        for (var i = 0; i < 10; i++)
        {
            await Peer.RunAsync("channel.send", held, "string", "m" + i);
        }

        await TestApps.UntilAsync(() => Unconsumed(held) == 10, "the ten messages reached the subject's buffer");
        Assert.Equal("m0", await Subject.RunAsync("channel.receive", held, "string"));

        await TestApps.UntilAsync(() => Unconsumed(held) == 9, "the message taken was acknowledged");
    }

    [ContractFact]
    public async Task A_channel_passed_in_a_call_reaches_the_handler_as_a_working_channel_both_ways()
    {
        var inSubject = Name("reply-on-subject");
        await Subject.RunAsync("rpc.register", inSubject, "reply-on");
        Assert.Equal($"{Subject.ProcessName}:over here", await Peer.RunAsync("rpc.call-reply-on", inSubject, Name("main-replies"), "over here"));

        var inMain = Name("reply-on-main");
        await Peer.RunAsync("rpc.register", inMain, "reply-on");
        Assert.Equal($"{Main.ProcessName}:and back", await Subject.RunAsync("rpc.call-reply-on", inMain, Name("subject-replies"), "and back"));
    }
}

/// <summary>Channel delivery between a child hosted in the test process and the main process, on Redis.</summary>
public sealed class ChannelDeliveryContract_RedisInProcessChild(RedisInProcessChildFixture fixture) : ChannelDeliveryContract(fixture), IClassFixture<RedisInProcessChildFixture>, IRedisContract;

/// <summary>Channel delivery between a real child process and the main process, on Redis.</summary>
public sealed class ChannelDeliveryContract_RedisRealChild(RedisRealChildFixture fixture) : ChannelDeliveryContract(fixture), IClassFixture<RedisRealChildFixture>, IRedisContract;

/// <summary>Channel delivery between a child hosted in the test process and the main process.</summary>
public sealed class ChannelDeliveryContract_InProcessChild(InProcessChildFixture fixture) : ChannelDeliveryContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>Channel delivery between a real child process and the main process.</summary>
public sealed class ChannelDeliveryContract_RealChild(RealChildFixture fixture) : ChannelDeliveryContract(fixture), IClassFixture<RealChildFixture>;
