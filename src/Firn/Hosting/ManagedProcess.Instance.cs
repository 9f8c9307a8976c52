using System.Diagnostics;

namespace Firn.Hosting;

/// <content>One spawned instance of the child, from spawn until its exit has been handled.</content>
internal sealed partial class ManagedProcess
{
    /// <summary>
    /// An instance's own state. Fields are written under the owning <see cref="ManagedProcess"/>'s lock, except the
    /// task sources, which are thread safe.
    /// </summary>
    private sealed class Instance(byte[] secret)
    {
        public byte[] Secret { get; } = secret;

        public Process? Process { get; set; }

        public int Pid { get; set; }

        public TimeSpan SpawnedAt { get; set; }

        /// <summary>When it became ready; null while starting.</summary>
        public TimeSpan? RunningSince { get; set; }

        public ChildSession? Session { get; set; }

        public bool Connected { get; set; }

        /// <summary>The supervisor asked it to stop (or abandoned its start): its exit is expected.</summary>
        public bool StopRequested { get; set; }

        /// <summary>The supervisor sent SIGKILL after the stop timeouts.</summary>
        public bool Killed { get; set; }

        public bool StartTimedOut { get; set; }

        /// <summary>The heartbeat found it unresponsive, and the supervisor killed it.</summary>
        public bool Unresponsive { get; set; }

        /// <summary>Set as soon as the process has exited: from then on its pid may belong to someone else.</summary>
        public bool HasExited { get; set; }

        public ProcessExitReason? ExitReason { get; set; }

        public int? ExitCode { get; set; }

        /// <summary>The read ends of its output pipes while they are forwarded (none with <see cref="ProcessOutput.Inherit"/>).</summary>
        public StreamReader[] OutputReaders { get; set; } = [];

        /// <summary>Completes when its output has been forwarded to the end.</summary>
        public Task Output { get; set; } = Task.CompletedTask;

        /// <summary>Completes when it is ready (connected and entry started, or it signalled readiness); fails if it exits first.</summary>
        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes with the exit code once the exit has been handled (state updated, connection drained).</summary>
        public TaskCompletionSource<int> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Fires when a stop is requested while the instance is still starting.</summary>
        public CancellationTokenSource Abort { get; } = new();
    }

    /// <summary>Why a start did not reach ready.</summary>
    /// <param name="Reason">The exit reason to record.</param>
    /// <param name="Error">What the caller of a requested start gets.</param>
    /// <param name="Aborted">A stop was requested meanwhile: not a failure of the child.</param>
    private sealed record StartFailure(ProcessExitReason Reason, Exception Error, bool Aborted = false);
}
