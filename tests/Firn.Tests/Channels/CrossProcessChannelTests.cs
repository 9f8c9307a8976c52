using Firn.Channels;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>Channel semantics between the test process (main) and real child processes over a real Unix socket.</summary>
public sealed class CrossProcessChannelTests
{
    [Fact]
    public async Task Messages_travel_main_to_child_and_back_in_active_mode()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "to-echo", "from-echo"])));
        var toChild = app.GetChannel<string>("to-echo");
        var fromChild = app.GetChannel<string>("from-echo");

        toChild.Send("hello");
        await toChild.SendAsync("world");

        Assert.Equal("echo:hello", await fromChild.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        Assert.Equal("echo:world", fromChild.Receive(TestApps.Timeout));
        Assert.Equal(ReceiveMode.Active, fromChild.Mode);
    }

    [Fact]
    public async Task Passive_handlers_run_with_sync_and_async_filters_and_survive_a_throwing_handler()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("pe", ["passive-echo", "pe-replies"])));
        Assert.Equal("ready", await app.NextReportAsync("pe"));
        var passive = app.GetChannel<object?>("pe-passive");
        var replies = app.GetChannel<string>("pe-replies");

        foreach (var message in new object?[] { "apple", "crash", 42, "banana", "cherry", "avocado" })
        {
            passive.Send(message);
        }

        var got = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            got.Add(await replies.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        }

        // "crash" threw in its handler, 42 and "cherry" matched no filter; the loop went on after the failure.
        Assert.Equal(["sync:apple", "async:banana", "sync:avocado"], got);
        Assert.False(replies.TryReceive(out _));
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_order()
    {
        const int count = 20_000;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("sender", ["send-ints", "ordered", count.ToString(System.Globalization.CultureInfo.InvariantCulture)])));
        var numbers = app.GetChannel<int>("ordered");

        var expected = 0;
        await foreach (var number in numbers.ReadAllAsync().WithCancellation(new CancellationTokenSource(TestApps.Timeout).Token))
        {
            Assert.Equal(expected, number);
            if (++expected == count)
            {
                break;
            }
        }

        Assert.Equal("sent", await app.NextReportAsync("sender"));
    }

    [Fact]
    public async Task A_process_never_receives_its_own_messages_so_one_channel_works_both_ways()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("talker", ["self-talk", "both-ways"])));
        var channel = app.GetChannel<string>("both-ways");
        var fromChild = 0;
        var own = 0;
        var all = new TaskCompletionSource();
        channel.OnReceive(message =>
        {
            if (message.StartsWith("main-", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref own);
            }

            if (Interlocked.Increment(ref fromChild) == 100)
            {
                all.TrySetResult();
            }
        });
        for (var i = 0; i < 100; i++)
        {
            channel.Send("main-" + i);
        }

        await all.Task.WaitAsync(TestApps.Timeout);
        Assert.Equal("received=100 own=0", await app.NextReportAsync("talker"));
        Assert.Equal(0, own);
        Assert.Equal(100, fromChild);
    }

    [Fact]
    public async Task Two_receiving_processes_share_the_work_with_nothing_lost_or_duplicated()
    {
        const int count = 10_000;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(
            log,
            ("w1", ["work", "jobs", "results"]),
            ("w2", ["work", "jobs", "results"])));
        var jobs = app.GetChannel<int>("jobs");
        var results = app.GetChannel<WorkResult>("results");

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await jobs.SendAsync(i);
            }
        });

        var seen = new int[count];
        var byWorker = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        for (var received = 0; received < count; received++)
        {
            var result = await results.ReceiveAsync(timeout.Token);
            seen[result.Item]++;
            byWorker[result.Worker] = byWorker.GetValueOrDefault(result.Worker) + 1;
        }

        await sending.WaitAsync(TestApps.Timeout);
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(["w1", "w2"], byWorker.Keys.Order());
        Assert.Equal(count, byWorker.Values.Sum());
    }

    [Fact]
    public async Task Opening_a_channel_with_another_type_in_a_child_fails_naming_both_types()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("clash", ["type-clash", "typed"]));
        app.OnBeforeStart(_ =>
        {
            app.GetChannel<int>("typed");
            return Task.CompletedTask;
        });
        await using var started = await TestApps.StartAsync(app);

        var error = await app.NextReportAsync("clash");
        Assert.Contains("System.Int32", error, StringComparison.Ordinal);
        Assert.Contains("System.String", error, StringComparison.Ordinal);
        Assert.Contains("'typed'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_a_channel_ends_a_receiver_in_another_process()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "closing-in", "closing-out"])));
        var input = app.GetChannel<string>("closing-in");
        var output = app.GetChannel<string>("closing-out");
        input.Send("last");
        Assert.Equal("echo:last", await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));

        input.Close();

        Assert.Equal("echo-closed", await app.NextReportAsync("echo"));
        Assert.True(input.IsClosed);
        Assert.Throws<ChannelClosedException>(() => input.Send("too late"));
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await input.ReceiveAsync());
    }

    [Fact]
    public async Task A_slow_receiver_bounds_what_is_buffered_and_the_sender_feels_back_pressure()
    {
        var log = new TestLog();
        var options = new FirnAppOptions { ChannelSendWindow = 64 };
        await using var app = await TestApps.StartAsync(TestApps.Create(log, options, ("slow", ["stall", "slow-lane"])));
        var lane = app.GetChannel<int>("slow-lane", new ChannelOptions { FullMode = ChannelFullMode.Fail });

        lane.Send(0);
        Assert.Equal("stalled", await app.NextReportAsync("slow"));

        // The child consumed one message and holds a window of 16; the router holds at most the sender's window of 64.
        var sent = 1;
        var full = false;
        while (!full)
        {
            try
            {
                lane.Send(sent);
                sent++;
            }
            catch (ChannelFullException)
            {
                full = true;
            }

            Assert.True(sent < 10_000, "the sender was never stopped");
        }

        await TestApps.UntilAsync(() => app.Router.GetStats("slow-lane")!.Value.Unacknowledged == 16, "the child's window is full");
        var stats = app.Router.GetStats("slow-lane")!.Value;
        Assert.Equal(16, stats.Unacknowledged);
        Assert.True(stats.Pending <= 64, $"pending {stats.Pending} exceeds the send window");
        Assert.Equal(1 + 16 + stats.Pending, sent);
        Assert.False(lane.TrySend(-1));
    }

    [Fact]
    public async Task A_child_killed_with_SIGKILL_does_not_take_the_main_process_down()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(
            log,
            ("victim", ["idle"]),
            ("echo", ["echo", "survivor-in", "survivor-out"])));
        Assert.StartsWith("pid=", await app.NextReportAsync("victim"), StringComparison.Ordinal);
        var pid = app.Supervisor!.GetProcess("victim").ProcessId!.Value;

        System.Diagnostics.Process.GetProcessById(pid).Kill();

        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("victim").State == ProcessState.Exited, "the main process saw the child exit");
        Assert.Equal(137, app.Supervisor!.GetProcess("victim").LastExitCode);
        var input = app.GetChannel<string>("survivor-in");
        var output = app.GetChannel<string>("survivor-out");
        input.Send("still here");
        Assert.Equal("echo:still here", await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
    }
}
