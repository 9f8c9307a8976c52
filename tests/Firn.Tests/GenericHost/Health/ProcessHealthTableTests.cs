using Firn.GenericHost.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Firn.Tests.GenericHost.Health;

/// <summary>The state table of docs/health-checks.md, row by row.</summary>
public sealed class ProcessHealthTableTests
{
    public static TheoryData<ProcessState, ProcessExitReason?, HealthStatus> Table() => new()
    {
        { ProcessState.Running, null, HealthStatus.Healthy },
        { ProcessState.Running, ProcessExitReason.Crashed, HealthStatus.Healthy },
        { ProcessState.NotStarted, null, HealthStatus.Degraded },
        { ProcessState.Starting, null, HealthStatus.Degraded },
        { ProcessState.Starting, ProcessExitReason.Crashed, HealthStatus.Degraded },
        { ProcessState.Stopping, null, HealthStatus.Degraded },
        { ProcessState.Backoff, ProcessExitReason.Crashed, HealthStatus.Degraded },
        { ProcessState.Backoff, ProcessExitReason.Completed, HealthStatus.Degraded },
        { ProcessState.Exited, ProcessExitReason.Completed, HealthStatus.Healthy },
        { ProcessState.Exited, ProcessExitReason.Stopped, HealthStatus.Degraded },
        { ProcessState.Exited, ProcessExitReason.Killed, HealthStatus.Degraded },
        { ProcessState.Exited, ProcessExitReason.Crashed, HealthStatus.Unhealthy },
        { ProcessState.Exited, ProcessExitReason.Signaled, HealthStatus.Unhealthy },
        { ProcessState.Exited, ProcessExitReason.StartTimeout, HealthStatus.Unhealthy },
        { ProcessState.Exited, ProcessExitReason.StartFailed, HealthStatus.Unhealthy },
        { ProcessState.Exited, ProcessExitReason.Unresponsive, HealthStatus.Unhealthy },
        { ProcessState.Failed, ProcessExitReason.Crashed, HealthStatus.Unhealthy },
        { ProcessState.Failed, ProcessExitReason.StartFailed, HealthStatus.Unhealthy },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void A_state_and_last_exit_reason_give_a_health_status(ProcessState state, ProcessExitReason? reason, HealthStatus expected)
    {
        var status = new ProcessStatus("worker", state, null, 0, null, null, reason);

        Assert.Equal(expected, ProcessHealth.StatusOf(status, HealthStatus.Unhealthy));
    }

    [Fact]
    public void The_failure_status_of_the_registration_replaces_unhealthy_and_nothing_else()
    {
        var failed = new ProcessStatus("worker", ProcessState.Failed, null, 5, null, 1, ProcessExitReason.Crashed);
        var crashed = failed with { State = ProcessState.Exited };
        var stopped = failed with { State = ProcessState.Exited, LastExitReason = ProcessExitReason.Stopped };

        Assert.Equal(HealthStatus.Degraded, ProcessHealth.StatusOf(failed, HealthStatus.Degraded));
        Assert.Equal(HealthStatus.Degraded, ProcessHealth.StatusOf(crashed, HealthStatus.Degraded));
        Assert.Equal(HealthStatus.Degraded, ProcessHealth.StatusOf(stopped, HealthStatus.Healthy));
    }

    [Fact]
    public void Every_state_has_a_row()
    {
        var covered = Table().Select(row => (ProcessState)row[0]).ToHashSet();

        Assert.Equal(Enum.GetValues<ProcessState>().ToHashSet(), covered);
    }
}
