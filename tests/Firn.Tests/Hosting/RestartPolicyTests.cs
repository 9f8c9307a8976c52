using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>Restart policies, back-off and intensity with real children that crash on command.</summary>
public sealed class RestartPolicyTests
{
    [Fact]
    public async Task A_crashed_child_is_restarted_with_exponential_backoff_that_resets_after_a_stable_run()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("crashy", SupervisedApps.Child(
            ["obey"],
            restartDelay: TimeSpan.FromMilliseconds(100),
            maxRestartDelay: TimeSpan.FromMilliseconds(300),
            backoffResetAfter: TimeSpan.FromSeconds(2),
            maxRestarts: 10)));
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);
        var pid = await app.NextReportAsync("crashy");

        var delays = new List<TimeSpan>();
        for (var crash = 1; crash <= 3; crash++)
        {
            app.Exit("crashy", pid, 3);
            var backoff = await states.WaitForAsync("crashy", ProcessState.Backoff, crash);
            Assert.Equal(ProcessExitReason.Crashed, backoff.Status.LastExitReason);
            Assert.Equal(3, backoff.Status.LastExitCode);
            Assert.Null(backoff.Status.ProcessId);
            delays.Add(backoff.RestartDelay!.Value);

            var next = await app.NextReportAsync("crashy");
            Assert.NotEqual(pid, next);
            pid = next;
            await states.WaitForAsync("crashy", ProcessState.Running, crash + 1);
        }

        // 100 ms, doubled, then capped at 300 ms.
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)], delays);

        // Once an instance has run for BackoffResetAfter, the next back-off starts from RestartDelay again.
        var running = DateTime.UtcNow;
        await TestApps.UntilAsync(() => DateTime.UtcNow - running > TimeSpan.FromSeconds(2.2), "the instance has run past BackoffResetAfter");
        app.Exit("crashy", pid, 3);
        var reset = await states.WaitForAsync("crashy", ProcessState.Backoff, 4);
        Assert.Equal(TimeSpan.FromMilliseconds(100), reset.RestartDelay);
        await states.WaitForAsync("crashy", ProcessState.Running, 5);

        Assert.Equal(4, app.Supervisor!.GetProcess("crashy").Restarts);
        Assert.Equal(["NotStarted->Starting", "Starting->Running", "Running->Backoff", "Backoff->Starting", "Starting->Running"], states.Path("crashy").Take(5));
        Assert.True(log.Contains(LogLevel.Warning, "Process 'crashy': Running -> Backoff (Crashed, exit code 3); restarting in"));
    }

    [Fact]
    public async Task Exceeding_the_restart_intensity_fails_the_child_runs_the_hook_and_can_stop_the_app()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("fragile", SupervisedApps.Child(["obey"], maxRestarts: 2, stopApplicationOnFailure: true)),
            ("bystander", SupervisedApps.Child(["idle"])));
        var states = new StateRecorder(app);
        var failedHook = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.OnProcessFailed(name => failedHook.TrySetResult(name));
        var run = app.RunAsync();
        await states.WaitForAsync("bystander", ProcessState.Running);
        await app.NextReportAsync("bystander");

        // Two restarts are allowed; the third crash within the window fails the child.
        for (var crash = 1; crash <= 3; crash++)
        {
            var pid = await app.NextReportAsync("fragile");
            app.Exit("fragile", pid, 7);
            await TestApps.UntilAsync(() => states.For("fragile").Count(c => c.PreviousState == ProcessState.Running) == crash, $"crash {crash} is seen");
        }

        Assert.Equal("fragile", await failedHook.Task.WaitAsync(TestApps.Timeout));
        Assert.Equal(1, await run.WaitAsync(TestApps.Timeout));

        var failed = states.For("fragile").Single(c => c.State == ProcessState.Failed);
        Assert.Equal(ProcessState.Running, failed.PreviousState);
        Assert.Equal(ProcessExitReason.Crashed, failed.Status.LastExitReason);
        Assert.Equal(7, failed.Status.LastExitCode);
        Assert.Equal(2, app.Supervisor!.GetProcess("fragile").Restarts);
        Assert.Equal(ProcessState.Failed, app.Supervisor!.GetProcess("fragile").State);
        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("bystander").State);
        Assert.True(log.Contains(LogLevel.Error, "Process 'fragile': Running -> Failed (Crashed, exit code 7)"));
        Assert.True(log.Contains(LogLevel.Critical, "Process 'fragile' failed and has StopApplicationOnFailure set"));
    }

    [Fact]
    public async Task Each_restart_policy_decides_on_exit_code_zero_and_on_a_crash()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("transient-ok", SupervisedApps.Child(["obey"], restart: RestartPolicy.Transient)),
            ("transient-crash", SupervisedApps.Child(["obey"], restart: RestartPolicy.Transient)),
            ("permanent-ok", SupervisedApps.Child(["obey"], restart: RestartPolicy.Permanent)),
            ("temporary-crash", SupervisedApps.Child(["obey"], restart: RestartPolicy.Temporary)));
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);
        foreach (var (name, code) in new[] { ("transient-ok", 0), ("transient-crash", 5), ("permanent-ok", 0), ("temporary-crash", 5) })
        {
            app.Exit(name, await app.NextReportAsync(name), code);
        }

        // The decision is the state entered at the exit: Backoff schedules a restart, Exited ends the child.
        var transientOk = await states.WaitForAsync("transient-ok", ProcessState.Exited);
        Assert.Equal(ProcessExitReason.Completed, transientOk.Status.LastExitReason);
        Assert.Equal(0, transientOk.Status.LastExitCode);

        Assert.Equal(ProcessState.Backoff, (await states.WaitForAsync("transient-crash", ProcessState.Backoff)).State);
        await states.WaitForAsync("transient-crash", ProcessState.Running, 2);

        var permanent = await states.WaitForAsync("permanent-ok", ProcessState.Backoff);
        Assert.Equal(ProcessExitReason.Completed, permanent.Status.LastExitReason);
        await states.WaitForAsync("permanent-ok", ProcessState.Running, 2);

        var temporary = await states.WaitForAsync("temporary-crash", ProcessState.Exited);
        Assert.Equal(ProcessExitReason.Crashed, temporary.Status.LastExitReason);
        Assert.True(log.Contains(LogLevel.Warning, "Process 'temporary-crash': Running -> Exited (Crashed, exit code 5); not restarted"));

        Assert.Equal(0, app.Supervisor!.GetProcess("transient-ok").Restarts);
        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("transient-ok").State);
        Assert.Equal(0, app.Supervisor!.GetProcess("temporary-crash").Restarts);
        Assert.Equal(1, app.Supervisor!.GetProcess("transient-crash").Restarts);
        Assert.Equal(1, app.Supervisor!.GetProcess("permanent-ok").Restarts);
    }

    [Fact]
    public async Task A_stop_or_start_during_backoff_acts_at_once_instead_of_waiting_for_the_delay()
    {
        var log = new CategoryLog();
        var forever = TimeSpan.FromMinutes(10);
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("patient", SupervisedApps.Child(["obey"], restartDelay: forever, maxRestartDelay: forever)));
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);

        app.Exit("patient", await app.NextReportAsync("patient"), 9);
        await states.WaitForAsync("patient", ProcessState.Backoff);
        await app.Supervisor!.StartProcessAsync("patient").WaitAsync(TestApps.Timeout);
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("patient").State);

        app.Exit("patient", await app.NextReportAsync("patient"), 9);
        await states.WaitForAsync("patient", ProcessState.Backoff, 2);
        await app.Supervisor!.StopProcessAsync("patient").WaitAsync(TestApps.Timeout);

        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("patient").State);
        await states.WaitForAsync("patient", ProcessState.Exited);
        Assert.Equal(["Running->Backoff", "Backoff->Starting", "Starting->Running", "Running->Backoff", "Backoff->Exited"], states.Path("patient").Skip(2));
    }

    [Fact]
    public async Task A_child_that_ignores_the_stop_request_and_SIGTERM_is_killed()
    {
        var log = new CategoryLog();
        await using var app = await TestApps.StartAsync(SupervisedApps.Create(
            log.Factory,
            ("stubborn", SupervisedApps.Child(["ignore-stop"], shutdownTimeout: TimeSpan.FromMilliseconds(500), killTimeout: TimeSpan.FromMilliseconds(500)))));
        var pid = int.Parse(SupervisedApps.Pid(await app.NextReportAsync("stubborn")), System.Globalization.CultureInfo.InvariantCulture);

        await app.Supervisor!.StopProcessAsync("stubborn").WaitAsync(TestApps.Timeout);

        var status = app.Supervisor!.GetProcess("stubborn");
        Assert.Equal(ProcessState.Exited, status.State);
        Assert.Equal(ProcessExitReason.Killed, status.LastExitReason);
        Assert.Equal(137, status.LastExitCode);
        Assert.Equal(9, status.LastSignal);
        Assert.True(log.Contains(LogLevel.Warning, "Process 'stubborn' did not exit within 00:00:00.5000000; sending SIGTERM"));
        Assert.True(log.Contains(LogLevel.Warning, "Process 'stubborn' did not exit within 00:00:00.5000000; sending SIGKILL"));
        Assert.False(SupervisedApps.IsAlive(pid), $"pid {pid} is still alive");
    }
}
