using Firn.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Hosting;

/// <summary>When a child counts as running, and what a start timeout does.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_child_that_waits_for_its_ready_signal_is_starting_until_it_signals()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("late", SupervisedApps.Child(["ready-later"], waitForReadySignal: true)));
        var states = new StateRecorder(app);

        var starting = app.Supervisor!.StartAsync();
        await states.WaitForAsync("late", ProcessState.Starting);
        var pid = SupervisedApps.Pid(await app.NextReportAsync("late"));

        // Connected and its entry runs, but it has not signalled: still starting, and so is the app.
        Assert.Equal(ProcessState.Starting, app.Supervisor!.GetProcess("late").State);
        Assert.False(starting.IsCompleted);

        app.GetChannel<object?>("late-active").Send("go");
        await starting.WaitAsync(TestApps.Timeout);

        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("late").State);
        Assert.Equal(pid, app.Supervisor!.GetProcess("late").ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ready", await app.NextReportAsync("late"));
    }

    [Fact]
    public async Task A_child_that_is_not_ready_within_its_start_timeout_is_killed_and_the_start_fails()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("never", SupervisedApps.Child(["idle"], waitForReadySignal: true, startTimeout: TimeSpan.FromSeconds(1))));
        var states = new StateRecorder(app);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout));

        Assert.Contains("Process 'never' did not become ready within 00:00:01", error.Message, StringComparison.Ordinal);
        var status = app.Supervisor!.GetProcess("never");
        Assert.Equal(ProcessState.Failed, status.State);
        Assert.Equal(ProcessExitReason.StartTimeout, status.LastExitReason);
        Assert.Null(status.ProcessId);
        var started = await states.WaitForAsync("never", ProcessState.Failed);
        Assert.Equal(ProcessState.Starting, started.PreviousState);
    }
}
