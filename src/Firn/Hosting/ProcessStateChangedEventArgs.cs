using Firn.Hosting;

namespace Firn;

/// <summary>A child moved from one <see cref="ProcessState"/> to another.</summary>
public sealed class ProcessStateChangedEventArgs : EventArgs
{
    internal ProcessStateChangedEventArgs(ProcessState previousState, ProcessStatus status, TimeSpan? restartDelay)
    {
        PreviousState = previousState;
        Status = status;
        RestartDelay = restartDelay;
    }

    /// <summary>The child's name.</summary>
    public string Name => Status.Name;

    /// <summary>The state it left.</summary>
    public ProcessState PreviousState { get; }

    /// <summary>The state it entered.</summary>
    public ProcessState State => Status.State;

    /// <summary>The child's status at the transition (pid, restarts, last exit code and reason).</summary>
    public ProcessStatus Status { get; }

    /// <summary>When <see cref="State"/> is <see cref="ProcessState.Backoff"/>: how long until the restart.</summary>
    public TimeSpan? RestartDelay { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {PreviousState} -> {State}";
}
