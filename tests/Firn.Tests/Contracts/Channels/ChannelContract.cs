using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Contracts.Channels;

/// <summary>
/// What a channel promises the process that uses it, whatever its role: names and types, receive modes, the size
/// limit, windows and back-pressure, close, timeouts. The main process observes through its router.
/// </summary>
public abstract class ChannelContract : ContractTests
{
    private const int SeventeenMebibytes = 17 * 1024 * 1024;

    private protected ChannelContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task GetChannel_returns_the_same_object_for_a_name()
    {
        Assert.Equal("true", await Subject.RunAsync("channel.same", Name("same"), "string"));
    }

    [ContractFact]
    public async Task Using_a_name_with_another_type_fails_naming_both_types()
    {
        var name = Name("numbers");
        await Subject.RunAsync("channel.open", name, "int");

        var error = await Assert.ThrowsAsync<ChannelTypeMismatchException>(() => Subject.RunAsync("channel.open", name, "strings"));

        Assert.Contains("System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Collections.Generic.List<System.String>", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task A_name_the_main_process_opened_with_another_type_fails_naming_both_types_and_the_channel()
    {
        var name = Name("typed");
        await Peer.RunAsync("channel.open", name, "int");

        var error = await Assert.ThrowsAsync<ChannelTypeMismatchException>(() => Subject.RunAsync("channel.open", name, "string"));

        Assert.Contains("System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.String", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Mixing_passive_and_active_mode_in_one_process_is_a_clear_error()
    {
        var passive = Name("passive-first");
        await Subject.RunAsync("channel.collect", passive, "string", Name("handler"));

        var pull = await Assert.ThrowsAsync<InvalidOperationException>(() => Subject.RunAsync("channel.try-receive", passive, "string"));
        Assert.Contains("passive mode", pull.Message, StringComparison.Ordinal);

        var active = Name("active-first");
        Assert.Equal("false", await Subject.RunAsync("channel.try-receive", active, "string"));
        var push = await Assert.ThrowsAsync<InvalidOperationException>(() => Subject.RunAsync("channel.collect", active, "string", Name("other-handler")));
        Assert.Contains("active mode", push.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task An_oversized_send_throws_before_anything_is_sent_and_the_channel_still_works()
    {
        var name = Name("big");
        await Subject.RunAsync("channel.open", name, "bytes");

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => Subject.RunAsync("channel.send", name, "bytes", SeventeenMebibytes));

        Assert.Contains("16777216", error.Message, StringComparison.Ordinal);
        await Subject.RunAsync("channel.send", name, "bytes", 10);
        await TestApps.UntilAsync(() => Pending(name) == 1, "the small message is in the router");
        Assert.Equal(1, Pending(name));
    }

    [ContractFact]
    public async Task Messages_wait_in_the_router_until_a_receiver_attaches_and_a_full_sender_fails_or_waits()
    {
        var bounded = Name("nobody-listens");
        await Subject.RunAsync("channel.open", bounded, "int", null, ChannelFullMode.Fail);

        Assert.Equal($"{ContractTarget.SendWindow}", await Subject.RunAsync("channel.try-send-many", bounded, 0, ContractTarget.SendWindow + 1));
        Assert.Equal("false", await Subject.RunAsync("channel.try-send", bounded, "int", ContractTarget.SendWindow));
        await Assert.ThrowsAsync<ChannelFullException>(() => Subject.RunAsync("channel.send-sync", bounded, "int", ContractTarget.SendWindow));

        var waiting = Name("nobody-listens-wait");
        await Subject.RunAsync("channel.send-many", waiting, 0, ContractTarget.SendWindow);
        var blocked = Subject.RunAsync("channel.send", waiting, "int", ContractTarget.SendWindow, Name("cancel"));
        await TestApps.UntilAsync(() => Pending(waiting) == ContractTarget.SendWindow, "the window's messages are in the router");
        Assert.False(blocked.IsCompleted);
        await Subject.RunAsync("op.cancel", Name("cancel"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal(ContractTarget.SendWindow, Pending(waiting));
        Assert.Equal(ContractTarget.SendWindow, Pending(bounded));
    }

    [ContractFact]
    public async Task Close_wakes_a_blocked_sender_and_ends_receivers()
    {
        var name = Name("to-close");
        await Subject.RunAsync("channel.send-many", name, 0, ContractTarget.SendWindow);
        var blocked = Subject.RunAsync("channel.send", name, "int", ContractTarget.SendWindow);
        await TestApps.UntilAsync(() => Pending(name) == ContractTarget.SendWindow, "the window's messages are in the router");

        await Subject.RunAsync("channel.close", name, "int");

        await Assert.ThrowsAsync<ChannelClosedException>(() => blocked);
        Assert.StartsWith("closed=true", await Subject.RunAsync("channel.state", name, "int"), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.send-sync", name, "int", 1));
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.try-send", name, "int", 1));
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.receive", name, "int"));
        await TestApps.UntilAsync(() => Target.Log.Contains(LogLevel.Warning, $"{ContractTarget.SendWindow} messages"), "the discarded messages were logged");
    }

    [ContractFact]
    public async Task Closing_a_channel_in_the_main_process_ends_a_waiting_receiver()
    {
        var name = Name("closed-by-main");
        var receiving = Subject.RunAsync("channel.receive", name, "string");
        await TestApps.UntilAsync(() => IsActiveReceiver(name, Subject.ProcessName), "the subject receives on the channel");

        await Peer.RunAsync("channel.close", name, "string");

        await Assert.ThrowsAsync<ChannelClosedException>(() => receiving);
        Assert.StartsWith("closed=true", await Subject.RunAsync("channel.state", name, "string"), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.send-sync", name, "string", "too late"));
        await Assert.ThrowsAsync<ChannelClosedException>(() => Subject.RunAsync("channel.receive", name, "string"));
    }

    [ContractTheory]
    [InlineData("channel.receive-sync")]
    [InlineData("channel.receive-on-thread")]
    public async Task Closing_a_channel_ends_a_receiver_blocked_in_the_synchronous_Receive_on_a_pool_thread_or_its_own(string op)
    {
        var name = Name(op == "channel.receive-sync" ? "closed-sync-pool" : "closed-sync-own");
        var receiving = Subject.RunAsync(op, name, "string", 120_000);
        await TestApps.UntilAsync(() => IsActiveReceiver(name, Subject.ProcessName), "the subject receives on the channel");

        await Peer.RunAsync("channel.close", name, "string");

        await Assert.ThrowsAsync<ChannelClosedException>(() => receiving);
    }

    [ContractFact]
    public async Task Receive_with_a_timeout_throws_TimeoutException_naming_the_channel()
    {
        var name = Name("quiet");

        var asynchronous = await Assert.ThrowsAsync<TimeoutException>(() => Subject.RunAsync("channel.receive", name, "string", 50));
        var synchronous = await Assert.ThrowsAsync<TimeoutException>(() => Subject.RunAsync("channel.receive-sync", name, "string", 50));
        var ownThread = await Assert.ThrowsAsync<TimeoutException>(() => Subject.RunAsync("channel.receive-on-thread", name, "string", 50));
        Assert.Contains($"'{name}'", ownThread.Message, StringComparison.Ordinal);

        Assert.Contains($"'{name}'", asynchronous.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", synchronous.Message, StringComparison.Ordinal);
    }

    [ContractTheory]
    [InlineData(0)]
    [InlineData(65537)]
    public async Task A_receive_buffer_outside_its_range_is_rejected_when_set(int size)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Subject.RunAsync("channel.open", Name("buffer"), "int", size));
    }

    [ContractTheory]
    [InlineData("")]
    [InlineData("bad\nname")]
    public async Task Invalid_channel_names_are_rejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("channel.open", name, "int"));
    }

    private int? Pending(string name) => Main.Router.GetStats(name)?.Pending;
}

/// <summary>The channel contract in the main process alone, on Redis.</summary>
public sealed class ChannelContract_RedisMainAlone(RedisMainAloneFixture fixture) : ChannelContract(fixture), IClassFixture<RedisMainAloneFixture>, IRedisContract;

/// <summary>The channel contract in a child hosted in the test process, its main process on Redis.</summary>
public sealed class ChannelContract_RedisInProcessChild(RedisInProcessChildFixture fixture) : ChannelContract(fixture), IClassFixture<RedisInProcessChildFixture>, IRedisContract;

/// <summary>The channel contract in a real child process, its main process on Redis.</summary>
public sealed class ChannelContract_RedisRealChild(RedisRealChildFixture fixture) : ChannelContract(fixture), IClassFixture<RedisRealChildFixture>, IRedisContract;

/// <summary>The channel contract in the main process alone.</summary>
public sealed class ChannelContract_MainAlone(MainAloneFixture fixture) : ChannelContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The channel contract in a child hosted in the test process.</summary>
public sealed class ChannelContract_InProcessChild(InProcessChildFixture fixture) : ChannelContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The channel contract in a real child process.</summary>
public sealed class ChannelContract_RealChild(RealChildFixture fixture) : ChannelContract(fixture), IClassFixture<RealChildFixture>;
