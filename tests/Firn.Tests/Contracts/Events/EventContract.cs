namespace Firn.Tests.Contracts.Events;

/// <summary>
/// What events promise the process that uses them, whatever its role: every subscriber of a name, in every process
/// (the publisher's included), gets every event published after it subscribed, by name or pattern, in order per
/// publisher; received data reads untyped, or typed with GetData; names with wildcards are for subscribing only.
/// </summary>
public abstract class EventContract : ContractTests
{
    private protected EventContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Events_reach_subscribers_in_every_process_by_name_and_pattern_in_order()
    {
        const int count = 100;
        var joined = Name("user") + ".joined";
        await Subject.RunAsync("events.subscribe", Name("own-exact"), joined, "point");
        await Subject.RunAsync("events.subscribe", Name("unrelated"), Name("order") + ".*", "object");
        await Peer.RunAsync("events.subscribe", Name("main-pattern"), Name("user") + ".*", "point");

        await Subject.RunAsync("events.publish-points", joined, count);

        var expected = Enumerable.Range(0, count).Select(i => $"{joined}={i},{i} (map)");
        Assert.Equal(expected, await Peer.LinesAsync("collector.wait", Name("main-pattern"), count));
        Assert.Equal(expected, await Subject.LinesAsync("collector.wait", Name("own-exact"), count));
        Assert.Empty(await Subject.LinesAsync("collector.items", Name("unrelated")));
    }

    [Fact]
    public async Task Events_from_main_reach_the_subject_with_data_read_untyped_or_as_a_type()
    {
        var done = Name("build") + ".done";
        var count = Name("build") + ".count";
        await Subject.RunAsync("events.subscribe", Name("points"), done, "point");
        await Subject.RunAsync("events.subscribe", Name("numbers"), count, "int");

        await Peer.RunAsync("events.publish-event", done, "point", "7,8");
        await Peer.RunAsync("events.publish", count, "int", 42);

        Assert.Equal([$"{done}=7,8 (map)"], await Subject.LinesAsync("collector.wait", Name("points"), 1));
        Assert.Equal([$"{count}=42 (number)"], await Subject.LinesAsync("collector.wait", Name("numbers"), 1));
    }

    [Fact]
    public async Task A_name_with_a_wildcard_cannot_be_published()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("events.publish", Name("price") + "*", "int", 1));

        Assert.Contains("wildcard", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("events.publish", string.Empty, "int", 1));
    }

    [Fact]
    public async Task Disposing_an_event_subscription_stops_it()
    {
        var name = Name("tick");
        await Subject.RunAsync("events.subscribe", Name("gone"), name, "int");
        await Subject.RunAsync("events.subscribe", Name("kept"), name, "int");
        await Peer.RunAsync("events.publish", name, "int", 1);
        await Subject.RunAsync("collector.wait", Name("gone"), 1);

        await Subject.RunAsync("op.dispose", Name("gone"));
        await Peer.RunAsync("events.publish", name, "int", 2);

        Assert.Equal([$"{name}=1 (number)", $"{name}=2 (number)"], await Subject.LinesAsync("collector.wait", Name("kept"), 2));
        Assert.Equal([$"{name}=1 (number)"], await Subject.LinesAsync("collector.items", Name("gone")));
    }
}

/// <summary>The event contract in the main process alone.</summary>
public sealed class EventContract_MainAlone(MainAloneFixture fixture) : EventContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The event contract in a child hosted in the test process.</summary>
public sealed class EventContract_InProcessChild(InProcessChildFixture fixture) : EventContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The event contract in a real child process.</summary>
public sealed class EventContract_RealChild(RealChildFixture fixture) : EventContract(fixture), IClassFixture<RealChildFixture>;
