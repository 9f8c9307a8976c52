using Firn.Hosting;

namespace Firn;

/// <summary>Why the last instance of a child ended. See <see cref="ProcessStatus.LastExitReason"/>.</summary>
public enum ProcessExitReason
{
    /// <summary>It was asked to stop (by the main process, or on its own request) and exited within the stop timeouts.</summary>
    Stopped,

    /// <summary>It was asked to stop and did not exit after the request and SIGTERM, so the supervisor sent SIGKILL.</summary>
    Killed,

    /// <summary>It exited on its own with exit code 0.</summary>
    Completed,

    /// <summary>It exited on its own with a non-zero exit code.</summary>
    Crashed,

    /// <summary>It was ended by a signal that the supervisor did not send (see <see cref="ProcessStatus.LastSignal"/>).</summary>
    Signaled,

    /// <summary>It did not become ready within its start timeout, and was killed.</summary>
    StartTimeout,

    /// <summary>It could not be launched at all (for example, the executable does not exist).</summary>
    StartFailed,

    /// <summary>
    /// It stopped answering heartbeats for <see cref="FirnAppOptions.HeartbeatTimeout"/> (stopped with SIGSTOP, hung, or its
    /// thread pool starved), and the supervisor killed it; its restart policy then applies as after a crash.
    /// </summary>
    Unresponsive,
}
