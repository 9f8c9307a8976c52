using Firn.Hosting;

namespace Firn;

/// <summary>Where a child process is in its life. <see cref="FirnSupervisor.ProcessStateChanged"/> reports every transition.</summary>
public enum ProcessState
{
    /// <summary>Declared, not started yet.</summary>
    NotStarted,

    /// <summary>Spawned; waiting for it to connect and start its entry (or to signal readiness).</summary>
    Starting,

    /// <summary>Ready: connected and running its entry. An external command is running once it has been spawned.</summary>
    Running,

    /// <summary>Asked to stop; waiting for it to exit.</summary>
    Stopping,

    /// <summary>It exited on its own and will be restarted after a back-off delay.</summary>
    Backoff,

    /// <summary>It exited and will not be restarted on its own (see <see cref="ProcessStatus.LastExitReason"/>).</summary>
    Exited,

    /// <summary>
    /// The supervisor gave up: it restarted too often (its restart intensity), or a start that was asked for failed.
    /// Only <see cref="FirnSupervisor.StartProcessAsync"/> or a restart starts it again.
    /// </summary>
    Failed,
}

/// <summary>A snapshot of one child process.</summary>
/// <param name="Name">The child's name.</param>
/// <param name="State">Its state.</param>
/// <param name="ProcessId">The OS process id of the current instance, or null when none is alive.</param>
/// <param name="Restarts">How many times it was restarted, automatically or on request.</param>
/// <param name="Uptime">How long the current instance has been alive, or null.</param>
/// <param name="LastExitCode">The exit code of the last instance that exited, or null. A signal <c>n</c> shows as <c>128 + n</c>, as in shells.</param>
/// <param name="LastExitReason">Why the last instance ended, or null.</param>
/// <param name="LastSignal">The signal that ended the last instance (exit codes above 128 are read as signals), or null.</param>
public sealed record ProcessStatus(
    string Name,
    ProcessState State,
    int? ProcessId,
    int Restarts,
    TimeSpan? Uptime,
    int? LastExitCode,
    ProcessExitReason? LastExitReason = null,
    int? LastSignal = null)
{
    /// <summary>
    /// The host (main process on a shared backend, <c>{MainProcessName}@{machine}:{pid}</c>) the child runs under, when the
    /// app is on one (Firn.Redis's <c>UseRedis</c>); <see langword="null"/> otherwise. A status from another host is as
    /// of that host's last publication, and <see cref="ProcessId"/> is a pid on that host's machine.
    /// </summary>
    public string? Host { get; init; }
}
