using Firn.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Hosting;

/// <summary>Starting, stopping and restarting real child processes.</summary>
public sealed class ProcessControlTests
{
    [Fact]
    public async Task A_child_that_asks_to_be_restarted_is_restarted_and_no_message_sent_meanwhile_is_lost()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("phoenix", ["restart-on-request"])));
        var firstPid = await app.NextReportAsync("phoenix");
        var active = app.GetChannel<object?>("phoenix-active");

        active.Send("restart");
        var secondPid = await app.NextReportAsync("phoenix");

        Assert.NotEqual(firstPid, secondPid);
        Assert.Equal(1, app.Supervisor!.GetProcess("phoenix").Restarts);
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("phoenix").State);
        Assert.True(log.Contains(Microsoft.Extensions.Logging.LogLevel.Information, "RestartSelf"));
    }

    [Fact]
    public async Task Messages_sent_while_a_child_restarts_wait_and_reach_the_new_instance()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "survive-in", "survive-out"])));
        var input = app.GetChannel<string>("survive-in");
        var output = app.GetChannel<string>("survive-out");
        input.Send("before");
        Assert.Equal("echo:before", await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));

        var restart = app.Supervisor!.RestartProcessAsync("echo");
        var sent = 0;
        while (!restart.IsCompleted && sent < 500)
        {
            await input.SendAsync("during-" + sent++);
        }

        await restart.WaitAsync(TestApps.Timeout);
        for (var i = 0; i < 100; i++)
        {
            await input.SendAsync("during-" + sent++);
        }

        // Every message arrives at least once, and in order per sender; one in flight at the stop may come twice.
        var seen = new HashSet<string>();
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        while (seen.Count < sent)
        {
            var reply = await output.ReceiveAsync(timeout.Token);
            seen.Add(reply["echo:".Length..]);
        }

        Assert.Equal(Enumerable.Range(0, sent).Select(i => "during-" + i).ToHashSet(), seen);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Restarts_asked_for_at_once_all_complete_with_one_running_instance(int restarts)
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "many-in", "many-out"])));
        var firstPid = app.Supervisor!.GetProcess("echo").ProcessId;

        // A later restart interrupts an earlier one's start; the earlier caller waits for the later one's instance
        // instead of being told its start was abandoned.
        var all = Enumerable.Range(0, restarts).Select(_ => app.Supervisor!.RestartProcessAsync("echo")).ToArray();
        await Task.WhenAll(all).WaitAsync(TestApps.Timeout);

        var status = app.Supervisor!.GetProcess("echo");
        Assert.Equal(ProcessState.Running, status.State);
        Assert.NotEqual(firstPid, status.ProcessId);
        Assert.InRange(status.Restarts, 1, restarts);
        app.GetChannel<string>("many-in").Send("after");
        Assert.Equal("echo:after", await app.GetChannel<string>("many-out").ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
    }

    [Fact]
    public async Task A_stop_after_a_restart_still_ends_the_restart_as_abandoned()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "stop-in", "stop-out"])));

        var restart = app.Supervisor!.RestartProcessAsync("echo");
        var stop = app.Supervisor!.StopProcessAsync("echo");
        await stop.WaitAsync(TestApps.Timeout);

        // Either the restart finished before the stop took over, or its start was abandoned for the stop.
        try
        {
            await restart.WaitAsync(TestApps.Timeout);
        }
        catch (OperationCanceledException error)
        {
            Assert.Contains("it is being stopped", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("echo").State);
    }

    [Fact]
    public async Task Messages_a_child_consumed_before_a_restart_are_not_delivered_again()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("echo", ["echo", "once-in", "once-out"])));
        var input = app.GetChannel<string>("once-in");
        var output = app.GetChannel<string>("once-out");
        for (var i = 0; i < 10; i++)
        {
            input.Send("m" + i);
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("echo:m" + i, await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        }

        await app.Supervisor!.RestartProcessAsync("echo").WaitAsync(TestApps.Timeout);
        input.Send("after");

        Assert.Equal("echo:after", await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        Assert.Equal(0, app.Router.GetStats("once-in")!.Value.Pending);
    }

    [Fact]
    public async Task Stopping_the_app_stops_every_child_and_reports_their_exit()
    {
        var log = new TestLog();
        var app = await TestApps.StartAsync(TestApps.Create(log, ("a", ["idle"]), ("b", ["idle"])));
        await app.NextReportAsync("a");
        await app.NextReportAsync("b");
        var pids = app.Supervisor!.GetProcesses().Select(p => p.ProcessId!.Value).ToArray();

        await app.DisposeAsync();

        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(ProcessState.Exited, p.State));
        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(0, p.LastExitCode));
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"pid {pid} is still alive"));
    }

    [Fact]
    public async Task Process_status_shows_pid_uptime_and_state()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("status", ["idle"])));
        var report = await app.NextReportAsync("status");

        var status = app.Supervisor!.GetProcess("status");

        Assert.Equal("pid=" + status.ProcessId, report);
        Assert.Equal(ProcessState.Running, status.State);
        Assert.NotNull(status.Uptime);
        Assert.Equal(0, status.Restarts);
        Assert.Throws<ArgumentException>(() => app.Supervisor!.GetProcess("nope"));
    }

    [Fact]
    public void Declaring_invalid_or_duplicate_process_names_fails_clearly()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new TestLog().Factory });
        app.AddProcess("ok", _ => { });

        Assert.Throws<ArgumentException>(() => app.AddProcess("ok", _ => { }));
        Assert.Throws<ArgumentException>(() => app.AddProcess("main", _ => { }));
        Assert.Throws<ArgumentException>(() => app.AddProcess("has space", _ => { }));
        Assert.Throws<ArgumentException>(() => app.AddProcess("", _ => { }));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
