namespace Firn.Hosting;

/// <summary>Where a child process is in its life.</summary>
public enum ProcessState
{
    /// <summary>Declared, not started yet.</summary>
    NotStarted,

    /// <summary>Spawned; waiting for it to connect and start its entry.</summary>
    Starting,

    /// <summary>Connected and running its entry.</summary>
    Running,

    /// <summary>Asked to stop; waiting for it to exit.</summary>
    Stopping,

    /// <summary>Exited (see <see cref="ProcessStatus.LastExitCode"/>).</summary>
    Exited,

    /// <summary>Could not be started.</summary>
    Failed,
}

/// <summary>A snapshot of one child process.</summary>
/// <param name="Name">The child's name.</param>
/// <param name="State">Its state.</param>
/// <param name="ProcessId">The OS process id of the current instance, or null.</param>
/// <param name="Restarts">How many times it was restarted.</param>
/// <param name="Uptime">How long the current instance has been running, or null.</param>
/// <param name="LastExitCode">The exit code of the last instance that exited, or null.</param>
public sealed record ProcessStatus(string Name, ProcessState State, int? ProcessId, int Restarts, TimeSpan? Uptime, int? LastExitCode);
