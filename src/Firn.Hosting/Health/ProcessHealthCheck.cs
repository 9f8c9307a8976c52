using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Firn.GenericHost.Health;

/// <summary>The health of one child process, read from the supervisor's snapshot of it.</summary>
internal sealed class ProcessHealthCheck(FirnApp app, string name) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Before the app has started the supervisor has no snapshot yet: the child is declared and not started.
        var status = app.FindProcessStatus(name) ?? new ProcessStatus(name, ProcessState.NotStarted, null, 0, null, null);
        return Task.FromResult(ProcessHealth.Of(status, context.Registration.FailureStatus, app.FindRestartPolicy(name) ?? RestartPolicy.Temporary));
    }
}
