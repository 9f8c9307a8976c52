using System.Collections.Concurrent;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Events;

/// <summary>The seed's Event(name, data) over pub/sub, subscribed to by name or pattern, across real processes.</summary>
public sealed class EventTests
{
    [Fact]
    public async Task Events_from_a_child_reach_main_subscribers_by_name_and_pattern_in_order()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("publisher", ["event-publish", "user.joined", "100"]));
        var byName = new ConcurrentQueue<Event>();
        var byPattern = new ConcurrentQueue<Event>();
        var other = new ConcurrentQueue<Event>();

        // The main process's pub/sub works before start, so nothing the child publishes is missed.
        using var exact = app.Events.Subscribe("user.joined", byName.Enqueue);
        using var pattern = app.Events.Subscribe("user.*", byPattern.Enqueue);
        using var unrelated = app.Events.Subscribe("order.*", other.Enqueue);
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("published", await app.NextReportAsync("publisher"));

        await TestApps.UntilAsync(() => byName.Count == 100 && byPattern.Count == 100, "every event arrived");
        var last = byName.ToArray();
        Assert.All(last, e => Assert.Equal("user.joined", e.Name));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => new Point(i, i)), last.Select(e => e.GetData<Point>()));
        Assert.IsType<Dictionary<object, object>>(last[0].Data);
        Assert.Empty(other);
    }

    [Fact]
    public async Task Events_from_main_reach_a_child_and_the_publishers_own_subscribers()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("listener", ["event-subscribe", "build.*"])));
        Assert.Equal("subscribed", await app.NextReportAsync("listener"));
        var own = new TaskCompletionSource<Event>();
        using var subscription = app.Events.Subscribe("build.done", e => own.TrySetResult(e));

        app.Events.Publish(new Event("build.done", new Point(7, 8)));

        Assert.Equal("build.done:7,8", await app.NextReportAsync("listener"));
        var received = await own.Task.WaitAsync(TestApps.Timeout);
        Assert.Equal(new Point(7, 8), received.GetData<Point>());
    }

    [Fact]
    public void A_local_event_reads_its_data_and_refuses_a_wrong_type_clearly()
    {
        var e = new Event("local", 42);

        Assert.Equal(42, e.GetData<int>());
        var error = Assert.Throws<InvalidCastException>(() => e.GetData<string>());
        Assert.Contains("System.Int32, not System.String", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Event(string.Empty));
        Assert.Contains("wildcard", Assert.Throws<ArgumentException>(() => new Event("price*")).Message, StringComparison.Ordinal);
        Assert.Null(new Event("empty").GetData<string>());
    }
}
