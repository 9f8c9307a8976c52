using Firn.Storage;
using Firn.Tests.Support;

namespace Firn.Tests.Storage;

/// <summary>Publish/subscribe across real child processes and in the main process.</summary>
public sealed class PubSubTests
{
    [Fact]
    public async Task A_child_gets_every_publication_made_after_it_subscribed_in_order_including_pattern_matches()
    {
        var log = new TestLog();
        var created = TestApps.Create(log, ("sub", ["subscribe", "orders.*", "5"]));

        // Published before the child exists, so before it subscribed (after the start it may already have).
        created.SharedMemory.Publish("orders.early", "lost");
        await using var app = await TestApps.StartAsync(created);
        Assert.Equal("ready", await app.NextReportAsync("sub"));

        app.SharedMemory.Publish("orders.new", "1");
        app.SharedMemory.Publish("invoices.new", "not matched");
        app.SharedMemory.Publish("orders.eu.paid", "2");
        for (var i = 3; i <= 5; i++)
        {
            app.SharedMemory.Publish("orders.new", i.ToString());
        }

        Assert.Equal("orders.new=1,orders.eu.paid=2,orders.new=3,orders.new=4,orders.new=5", await app.NextReportAsync("sub"));
    }

    [Fact]
    public async Task Publications_from_a_child_reach_the_main_process_in_order_and_the_publisher_hears_itself()
    {
        const int count = 1000;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("pub", ["publish", "ticks", count.ToString()])));
        var received = new List<string>();
        var all = new TaskCompletionSource();
        using var subscription = app.SharedMemory.Subscribe<string>("ticks", data =>
        {
            received.Add(data);
            if (received.Count == count)
            {
                all.TrySetResult();
            }
        });

        app.GetChannel<object?>("pub-active").Send("go");

        Assert.Equal("published, heard 0", await app.NextReportAsync("pub"));
        await all.Task.WaitAsync(TestApps.Timeout);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString()), received);
        Assert.Equal(count, subscription.Handled);
    }

    [Fact]
    public async Task A_slow_subscriber_drops_its_oldest_publications_without_blocking_the_publisher_or_others()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new TestLog().Factory });
        var memory = app.SharedMemory;
        var inHandler = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var slowGot = new List<int>();
        var fastGot = 0;
        using var slow = memory.Subscribe<int>("load", async n =>
        {
            inHandler.TrySetResult();
            await release.Task;
            slowGot.Add(n);
        }, new SubscribeOptions { BufferSize = 10 });
        using var fast = memory.Subscribe<int>("load", _ => Interlocked.Increment(ref fastGot));

        memory.Publish("load", 0);
        await inHandler.Task.WaitAsync(TestApps.Timeout);
        for (var i = 1; i < 100; i++)
        {
            memory.Publish("load", i);
        }

        await TestApps.UntilAsync(() => Volatile.Read(ref fastGot) == 100, "the fast subscriber got everything");
        Assert.Equal(89, slow.Dropped);
        release.SetResult();
        await TestApps.UntilAsync(() => slow.Handled == 11 && slowGot.Count == 11, "the slow subscriber drained");
        Assert.Equal([0, .. Enumerable.Range(90, 10)], slowGot);
    }

    [Fact]
    public async Task A_publication_of_another_type_is_skipped_and_disposal_unsubscribes()
    {
        var log = new TestLog();
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = log.Factory });
        var got = new List<int>();
        var anything = new List<object?>();
        var typed = app.SharedMemory.Subscribe<int>("mixed", got.Add);
        using var untyped = app.SharedMemory.Subscribe<object?>("mixed", anything.Add);

        app.SharedMemory.Publish("mixed", "text");
        app.SharedMemory.Publish("mixed", 42);

        await TestApps.UntilAsync(() => got.Count == 1 && anything.Count == 2, "both subscriptions ran");
        Assert.Equal([42], got);
        Assert.True(log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "carries System.String"));

        typed.Dispose();
        app.SharedMemory.Publish("mixed", 43);
        await TestApps.UntilAsync(() => anything.Count == 3, "the remaining subscription ran");
        Assert.Equal([42], got);
        Assert.Throws<ArgumentException>(() => app.SharedMemory.Publish("orders.*", 1));
    }
}
