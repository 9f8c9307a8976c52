using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Contracts.Storage;

/// <summary>
/// What pub/sub promises the process that uses it, whatever its role: every subscription in every process (the
/// publisher's own included) gets what was published after it subscribed, in order per publisher; patterns; types;
/// one handler at a time; a slow subscription drops, nobody waits for it; disposal.
/// </summary>
public abstract class PubSubContract : ContractTests
{
    private protected PubSubContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task A_publication_reaches_every_subscription_in_every_process_the_publishers_own_included()
    {
        var topic = Name("news");
        await Subject.RunAsync("pubsub.subscribe", Name("subject"), topic, "string");
        await Peer.RunAsync("pubsub.subscribe", Name("main"), topic, "string");

        await Subject.RunAsync("pubsub.publish", topic, "string", "from-subject");
        await Peer.RunAsync("pubsub.publish", topic, "string", "from-main");

        string[] both = [$"{topic}=from-main", $"{topic}=from-subject"];
        Assert.Equal(both, (await Subject.LinesAsync("collector.wait", Name("subject"), 2)).Order());
        Assert.Equal(both, (await Peer.LinesAsync("collector.wait", Name("main"), 2)).Order());
    }

    [ContractFact]
    public async Task Publications_from_one_process_reach_each_subscription_in_order()
    {
        const int count = 1000;
        var topic = Name("ticks");
        await Subject.RunAsync("pubsub.subscribe", Name("subject"), topic, "int");
        await Peer.RunAsync("pubsub.subscribe", Name("main"), topic, "int");

        await Subject.RunAsync("pubsub.publish-many", topic, 0, count);
        await Peer.RunAsync("pubsub.publish-many", topic, count, count);

        var inMain = await Peer.LinesAsync("collector.wait", Name("main"), 2 * count);
        var inSubject = await Subject.LinesAsync("collector.wait", Name("subject"), 2 * count);
        foreach (var (first, received) in new[] { (0, inMain), (count, inMain), (0, inSubject), (count, inSubject) })
        {
            var fromOnePublisher = received.Select(line => int.Parse(line[(topic.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Where(n => n >= first && n < first + count);
            Assert.Equal(Enumerable.Range(first, count), fromOnePublisher);
        }
    }

    [ContractFact]
    public async Task A_pattern_matches_any_run_with_star_and_one_character_with_question_mark()
    {
        var orders = Name("orders");
        var items = Name("item");
        await Subject.RunAsync("pubsub.subscribe", Name("orders"), orders + ".*", "string");
        await Subject.RunAsync("pubsub.subscribe", Name("items"), items + ".?", "string");

        foreach (var topic in new[] { orders + ".new", Name("invoices") + ".new", orders + ".eu.paid", items + ".1", items + ".12", orders + ".end", items + ".9" })
        {
            await Peer.RunAsync("pubsub.publish", topic, "string", "x");
        }

        Assert.Equal([orders + ".new=x", orders + ".eu.paid=x", orders + ".end=x"], await Subject.LinesAsync("collector.wait", Name("orders"), 3));
        Assert.Equal([items + ".1=x", items + ".9=x"], await Subject.LinesAsync("collector.wait", Name("items"), 2));
    }

    [ContractFact]
    public async Task A_subscription_gets_what_is_published_as_soon_as_Subscribe_returned()
    {
        var topic = Name("at-once");

        await Subject.RunAsync("pubsub.subscribe", Name("subject"), topic, "string");
        await Peer.RunAsync("pubsub.publish", topic, "string", "first");

        Assert.Equal([$"{topic}=first"], await Subject.LinesAsync("collector.wait", Name("subject"), 1));
    }

    [ContractFact]
    public async Task A_publication_of_another_type_is_skipped_with_a_warning_and_object_reads_anything()
    {
        var topic = Name("mixed");
        await Subject.RunAsync("pubsub.subscribe", Name("typed"), topic, "int");
        await Subject.RunAsync("pubsub.subscribe", Name("untyped"), topic, "object");

        await Peer.RunAsync("pubsub.publish", topic, "string", "text");
        await Peer.RunAsync("pubsub.publish", topic, "int", 42);

        Assert.Equal([$"{topic}=text", $"{topic}=42"], await Subject.LinesAsync("collector.wait", Name("untyped"), 2));
        Assert.Equal([$"{topic}=42"], await Subject.LinesAsync("collector.wait", Name("typed"), 1));
        await TestApps.UntilAsync(() => Target.Log.Contains(LogLevel.Warning, "carries System.String"), "the skipped publication was logged");
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("pubsub.publish", topic + ".*", "int", 1));
    }

    [ContractFact]
    public async Task Disposing_a_subscription_stops_its_deliveries()
    {
        var topic = Name("disposed");
        await Subject.RunAsync("pubsub.subscribe", Name("gone"), topic, "int");
        await Subject.RunAsync("pubsub.subscribe", Name("kept"), topic, "int");
        await Peer.RunAsync("pubsub.publish", topic, "int", 1);
        await Subject.RunAsync("collector.wait", Name("gone"), 1);

        Assert.Equal("true", await Subject.RunAsync("op.dispose", Name("gone")));
        await Peer.RunAsync("pubsub.publish", topic, "int", 2);

        Assert.Equal([$"{topic}=1", $"{topic}=2"], await Subject.LinesAsync("collector.wait", Name("kept"), 2));
        Assert.Equal([$"{topic}=1"], await Subject.LinesAsync("collector.items", Name("gone")));
    }

    [ContractFact]
    public async Task Handlers_run_one_at_a_time_and_a_failing_one_is_logged_and_the_next_handled()
    {
        var topic = Name("serial");
        await Subject.RunAsync("pubsub.subscribe", Name("serial"), topic, "int", null, null, null, 13);

        await Peer.RunAsync("pubsub.publish-many", topic, 0, 50);

        var handled = await Subject.LinesAsync("collector.wait", Name("serial"), 49);
        Assert.Equal(Enumerable.Range(0, 50).Where(n => n != 13).Select(n => $"{topic}={n}"), handled);
        await UntilAsync(async () => (await Subject.TextAsync("pubsub.stats", Name("serial"))).StartsWith("handled=50 ", StringComparison.Ordinal), "every publication was handled");
        Assert.Equal("handled=50 dropped=0 concurrent=1", await Subject.RunAsync("pubsub.stats", Name("serial")));
        await TestApps.UntilAsync(() => Target.Log.Entries.Any(e => e.Message.Contains("subscription handler failure on purpose at 13", StringComparison.Ordinal) || e.Exception?.Message.Contains("subscription handler failure on purpose at 13", StringComparison.Ordinal) == true), "the handler's failure was logged");
    }

    [ContractTheory]
    [InlineData(SubscriptionOverflow.DropOldest)]
    [InlineData(SubscriptionOverflow.DropNewest)]
    public async Task A_slow_subscription_drops_publications_and_nobody_waits_for_it(SubscriptionOverflow overflow)
    {
        const int buffer = 4;
        var topic = Name("load");
        await Subject.RunAsync("pubsub.subscribe", Name("slow"), topic, "int", buffer, overflow, Name("gate"));
        await Subject.RunAsync("pubsub.subscribe", Name("fast"), topic, "int");

        await Peer.RunAsync("pubsub.publish", topic, "int", 0);
        await Subject.RunAsync("gate.entered", Name("gate"), 1);
        await Peer.RunAsync("pubsub.publish-many", topic, 1, 9);

        // The first publication is in the handler; four wait in the buffer; the other five were dropped.
        Assert.Equal(10, (await Subject.LinesAsync("collector.wait", Name("fast"), 10)).Length);
        await UntilAsync(async () => (await Subject.TextAsync("pubsub.stats", Name("slow"))).Contains("dropped=5", StringComparison.Ordinal), "five publications were dropped");
        await Subject.RunAsync("gate.open", Name("gate"));
        int[] kept = overflow == SubscriptionOverflow.DropOldest ? [0, 6, 7, 8, 9] : [0, 1, 2, 3, 4];
        Assert.Equal(kept.Select(n => $"{topic}={n}"), await Subject.LinesAsync("collector.wait", Name("slow"), 5));
        await UntilAsync(async () => await Subject.TextAsync("pubsub.stats", Name("slow")) == "handled=5 dropped=5 concurrent=1", "the slow subscription drained");
    }
}

/// <summary>The pub/sub contract on Redis, in the main process alone.</summary>
public sealed class PubSubContract_RedisMainAlone(RedisMainAloneFixture fixture) : PubSubContract(fixture), IClassFixture<RedisMainAloneFixture>, IRedisContract;

/// <summary>The pub/sub contract on Redis, in a child hosted in the test process.</summary>
public sealed class PubSubContract_RedisInProcessChild(RedisInProcessChildFixture fixture) : PubSubContract(fixture), IClassFixture<RedisInProcessChildFixture>, IRedisContract;

/// <summary>The pub/sub contract on Redis, in a real child process.</summary>
public sealed class PubSubContract_RedisRealChild(RedisRealChildFixture fixture) : PubSubContract(fixture), IClassFixture<RedisRealChildFixture>, IRedisContract;

/// <summary>The pub/sub contract in the main process alone.</summary>
public sealed class PubSubContract_MainAlone(MainAloneFixture fixture) : PubSubContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The pub/sub contract in a child hosted in the test process.</summary>
public sealed class PubSubContract_InProcessChild(InProcessChildFixture fixture) : PubSubContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The pub/sub contract in a real child process.</summary>
public sealed class PubSubContract_RealChild(RealChildFixture fixture) : PubSubContract(fixture), IClassFixture<RealChildFixture>;
