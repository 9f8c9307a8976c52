using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Firn.GenericHost.Health;

/// <summary>The health of a child in each state, and the data its check reports (docs/health-checks.md documents both).</summary>
internal static class ProcessHealth
{
    public const string StateKey = "state";
    public const string ProcessIdKey = "pid";
    public const string RestartsKey = "restarts";
    public const string UptimeKey = "uptime";
    public const string LastExitReasonKey = "lastExitReason";
    public const string LastExitCodeKey = "lastExitCode";
    public const string LastSignalKey = "lastSignal";

    /// <summary>The check's result for <paramref name="status"/>; <paramref name="failureStatus"/> is the registration's, <paramref name="restart"/> the child's policy.</summary>
    public static HealthCheckResult Of(ProcessStatus status, HealthStatus failureStatus, RestartPolicy restart) =>
        new(StatusOf(status, failureStatus, restart), Describe(status), data: DataOf(status));

    public static HealthStatus StatusOf(ProcessStatus status, HealthStatus failureStatus, RestartPolicy restart = RestartPolicy.Temporary) => status.State switch
    {
        ProcessState.Running => HealthStatus.Healthy,
        ProcessState.NotStarted or ProcessState.Starting or ProcessState.Stopping or ProcessState.Backoff => HealthStatus.Degraded,
        ProcessState.Failed => failureStatus,
        ProcessState.Exited => status.LastExitReason switch
        {
            // It finished its work with exit code 0, and its restart policy says that is the end of it.
            ProcessExitReason.Completed => HealthStatus.Healthy,

            // Someone stopped it on purpose (an operator, the app's stop, or its own request): not a failure, but not working either.
            ProcessExitReason.Stopped or ProcessExitReason.Killed or null => HealthStatus.Degraded,

            // It ended abnormally and its restart policy (Temporary) leaves it down.
            _ when restart == RestartPolicy.Temporary => failureStatus,

            // A policy that restarts after an abnormal exit: only a stop (in back-off, or the app's) left it down, on purpose.
            _ => HealthStatus.Degraded,
        },
        _ => failureStatus,
    };

    /// <remarks>Without the child's name: the check's name already says it, and JSON writers escape quotes.</remarks>
    private static string Describe(ProcessStatus status)
    {
        var text = status.State switch
        {
            ProcessState.Running => "Running",
            ProcessState.NotStarted => "Not started yet",
            ProcessState.Starting => "Starting",
            ProcessState.Stopping => "Stopping",
            ProcessState.Backoff => "Exited; waits to be restarted",
            ProcessState.Exited => "Exited; will not be restarted",
            ProcessState.Failed => "Failed: the supervisor gave up restarting it",
            _ => status.State.ToString(),
        };
        return status.State == ProcessState.Running || status.LastExitReason is not { } reason
            ? text + "."
            : string.Create(CultureInfo.InvariantCulture, $"{text} (last exit: {reason}{(status.LastExitCode is { } code ? $", exit code {code}" : "")}).");
    }

    private static Dictionary<string, object> DataOf(ProcessStatus status)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [StateKey] = status.State.ToString(),
            [RestartsKey] = status.Restarts,
        };
        Add(data, ProcessIdKey, status.ProcessId);
        Add(data, UptimeKey, status.Uptime);
        Add(data, LastExitReasonKey, status.LastExitReason?.ToString());
        Add(data, LastExitCodeKey, status.LastExitCode);
        Add(data, LastSignalKey, status.LastSignal);
        return data;
    }

    private static void Add(Dictionary<string, object> data, string key, object? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }
}
