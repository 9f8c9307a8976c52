using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hosting;

/// <summary>Heartbeats: a stopped child is found out and restarted; a busy one is left alone.</summary>
public sealed class HeartbeatTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_child_stopped_with_SIGSTOP_is_killed_as_unresponsive_and_restarted()
    {
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, Interval, HeartbeatTimeout, ("frozen", SupervisedApps.Child(["idle"], RestartPolicy.Permanent)));
        var states = new StateRecorder(app);
        await app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        var firstPid = int.Parse(SupervisedApps.Pid(await app.NextReportAsync("frozen")), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, NativeMethods.kill(firstPid, NativeMethods.SIGSTOP));

        var backoff = await states.WaitForAsync("frozen", ProcessState.Backoff);
        Assert.Equal(ProcessExitReason.Unresponsive, backoff.Status.LastExitReason);
        var secondPid = int.Parse(SupervisedApps.Pid(await app.NextReportAsync("frozen")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(firstPid, secondPid);
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("frozen").State);
        await TestApps.UntilAsync(() => !SupervisedApps.IsAlive(firstPid), "the frozen instance is gone");
        Assert.True(log.Contains(Microsoft.Extensions.Logging.LogLevel.Error, "sent nothing for 00:00:01, not even a heartbeat"));
    }

    [Fact]
    public async Task A_busy_child_that_answers_heartbeats_is_not_killed()
    {
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, Interval, HeartbeatTimeout, ("busy", SupervisedApps.Child(["busy"], RestartPolicy.Permanent)));
        await app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        var pid = SupervisedApps.Pid(await app.NextReportAsync("busy"));

        // A negative check needs a span of time: three heartbeat timeouts with one core kept busy by the child.
        await Task.Delay(3 * HeartbeatTimeout);

        Assert.Equal(pid, app.Supervisor!.GetProcess("busy").ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, app.Supervisor!.GetProcess("busy").Restarts);
    }

    [Fact]
    public void A_timeout_not_longer_than_the_interval_is_refused_at_once()
    {
        var error = Assert.Throws<ArgumentException>(() => new FirnApp(new FirnAppOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(2),
            HeartbeatTimeout = TimeSpan.FromSeconds(2),
            HandleSignals = false,
        }));

        Assert.Contains("HeartbeatTimeout", error.Message, StringComparison.Ordinal);
    }
}
