using Firn.Channels;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>Select over channels that real child processes feed (the "sender" scenario obeys commands on its active channel).</summary>
public sealed class SelectTests
{
    [Fact]
    public async Task The_first_channel_with_a_message_wins()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var got = new List<string>();
        var select = new Select()
            .Case(app.GetChannel<int>("first-a"), m => got.Add($"a{m}"))
            .Case(app.GetChannel<int>("first-b"), m => got.Add($"b{m}"));

        var waiting = select.ReceiveAsync(TestApps.Timeout).AsTask();
        Assert.False(waiting.IsCompleted);
        await CommandAsync(app, "feeder", "send first-b 1");

        Assert.True(await waiting.WaitAsync(TestApps.Timeout));
        Assert.Equal(["b0"], got);
        await CommandAsync(app, "feeder", "send first-a 1");
        Assert.True(await select.ReceiveAsync(TestApps.Timeout));
        Assert.Equal(["b0", "a0"], got);
    }

    [Fact]
    public async Task Two_flooded_channels_take_turns()
    {
        const int perChannel = 300;
        const int selects = 201;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var one = app.GetChannel<int>("flood-1");
        var two = app.GetChannel<int>("flood-2");
        var fromOne = new List<int>();
        var fromTwo = new List<int>();
        var select = new Select().Case(one, fromOne.Add).Case(two, fromTwo.Add);
        await CommandAsync(app, "feeder", $"send flood-1 {perChannel}");
        await CommandAsync(app, "feeder", $"send flood-2 {perChannel}");
        await TestApps.UntilAsync(() => one.BufferedCount == perChannel && two.BufferedCount == perChannel, "both channels are full here");

        for (var i = 0; i < selects; i++)
        {
            Assert.True(await select.ReceiveAsync(TestApps.Timeout));
            Assert.InRange(fromOne.Count - fromTwo.Count, -1, 1);
        }

        Assert.Equal(selects, fromOne.Count + fromTwo.Count);
        Assert.Equal(Enumerable.Range(0, fromOne.Count), fromOne);
        Assert.Equal(Enumerable.Range(0, fromTwo.Count), fromTwo);
    }

    [Fact]
    public async Task Cancelling_a_waiting_select_loses_no_message()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var got = new List<int>();
        var select = new Select().Case(app.GetChannel<int>("cancel-a"), got.Add).Case(app.GetChannel<int>("cancel-b"), got.Add);
        using var cancel = new CancellationTokenSource();

        var waiting = select.ReceiveAsync(cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestApps.Timeout));
        await CommandAsync(app, "feeder", "send cancel-a 2");
        Assert.True(await select.ReceiveAsync(TestApps.Timeout));
        Assert.True(await select.ReceiveAsync(TestApps.Timeout));
        Assert.Equal([0, 1], got);
    }

    [Fact]
    public async Task TryReceive_runs_a_ready_case_and_never_waits()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var got = new List<string>();
        var idle = app.GetChannel<int>("try-a");
        var busy = app.GetChannel<int>("try-b");
        var select = new Select()
            .Case(idle, m => got.Add($"a{m}"))
            .Case(busy, async m =>
            {
                await Task.Yield();
                got.Add($"b{m}");
            });

        Assert.False(select.TryReceive());
        await CommandAsync(app, "feeder", "send try-b 1");
        await TestApps.UntilAsync(() => busy.BufferedCount == 1, "the message arrived");

        Assert.True(select.TryReceive());
        Assert.Equal(["b0"], got);
        Assert.False(select.TryReceive());
    }

    [Fact]
    public async Task RunAsync_returns_once_another_process_closed_every_channel()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var xs = new List<int>();
        var ys = new List<int>();
        var running = new Select().Case(app.GetChannel<int>("run-x"), xs.Add).Case(app.GetChannel<int>("run-y"), ys.Add).RunAsync();

        await CommandAsync(app, "feeder", "send run-x 5");
        await CommandAsync(app, "feeder", "send run-y 7");
        await CommandAsync(app, "feeder", "close run-x");
        Assert.False(running.IsCompleted);
        await CommandAsync(app, "feeder", "close run-y");

        await running.WaitAsync(TestApps.Timeout);
        Assert.Equal(Enumerable.Range(0, 5), xs);
        Assert.Equal(Enumerable.Range(0, 7), ys);
    }

    [Fact]
    public async Task Select_takes_from_channels_fed_by_two_different_children()
    {
        const int count = 500;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder1", ["sender"]), ("feeder2", ["sender"])));
        var ones = new List<int>();
        var twos = new List<int>();
        var running = new Select().Case(app.GetChannel<int>("fed-1"), ones.Add).Case(app.GetChannel<int>("fed-2"), twos.Add).RunAsync();

        await Task.WhenAll(CommandAsync(app, "feeder1", $"send fed-1 {count}"), CommandAsync(app, "feeder2", $"send fed-2 {count}"));
        await Task.WhenAll(CommandAsync(app, "feeder1", "close fed-1"), CommandAsync(app, "feeder2", "close fed-2"));

        await running.WaitAsync(TestApps.Timeout);
        Assert.Equal(Enumerable.Range(0, count), ones);
        Assert.Equal(Enumerable.Range(0, count), twos);
    }

    [Fact]
    public async Task A_handler_exception_reaches_the_caller_and_its_message_is_consumed()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var got = new List<int>();
        var select = new Select().Case(app.GetChannel<int>("throwing"), m => got.Add(m == 0 ? throw new InvalidOperationException("handler failure on purpose") : m));
        await CommandAsync(app, "feeder", "send throwing 2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await select.ReceiveAsync(TestApps.Timeout));

        Assert.Equal("handler failure on purpose", error.Message);
        Assert.True(await select.ReceiveAsync(TestApps.Timeout));
        Assert.Equal([1], got);
        await TestApps.UntilAsync(() => app.Router.GetStats("throwing")!.Value.Unacknowledged == 0, "both messages are acknowledged");
    }

    [Fact]
    public async Task Channel_ReceiveAsync_with_a_timeout_returns_a_message_that_arrives_in_time()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("feeder", ["sender"])));
        var channel = app.GetChannel<int>("deadline");

        var waiting = channel.ReceiveAsync(TestApps.Timeout).AsTask();
        Assert.False(waiting.IsCompleted);
        await CommandAsync(app, "feeder", "send deadline 1");

        Assert.Equal(0, await waiting.WaitAsync(TestApps.Timeout));
    }

    private static async Task CommandAsync(FirnApp app, string child, string command)
    {
        await app.GetChannel<object?>(child + "-active").SendAsync(command);
        Assert.Equal("done", await app.NextReportAsync(child));
    }
}
