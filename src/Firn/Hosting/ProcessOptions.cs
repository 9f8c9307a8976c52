using Firn.Failures;
using Firn.Hosting;

namespace Firn;

/// <summary>How a child process is launched, supervised and stopped. Values are checked when set.</summary>
public sealed class ProcessOptions
{
    private int _maxRestarts = 5;
    private TimeSpan _restartWindow = TimeSpan.FromSeconds(60);
    private TimeSpan _restartDelay = TimeSpan.FromSeconds(1);
    private TimeSpan _maxRestartDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _backoffResetAfter = TimeSpan.FromSeconds(30);
    private TimeSpan? _startTimeout;
    private TimeSpan? _shutdownTimeout;
    private TimeSpan _killTimeout = TimeSpan.FromSeconds(2);
    private string? _executable;
    private IReadOnlyList<string> _arguments = [];
    private IReadOnlyDictionary<string, string> _environment = new Dictionary<string, string>();

    /// <summary>
    /// The program to run. With <see cref="FirnApp.AddProcess(string, ProcessOptions)"/> it is another Firn program that
    /// declares a process of the same name and connects back (for example <c>dotnet</c> with a DLL in <see cref="Arguments"/>);
    /// with <see cref="FirnApp.AddCommand"/> it is any executable, found on <c>PATH</c> unless it contains a '/'.
    /// Default: this program, re-launched as the child.
    /// </summary>
    public string? Executable
    {
        get => _executable;
        init => _executable = value;
    }

    /// <summary>Arguments for <see cref="Executable"/> (or extra arguments for this program).</summary>
    public IReadOnlyList<string> Arguments
    {
        get => _arguments;
        init => _arguments = value;
    }

    /// <summary>Extra environment variables for the child.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get => _environment;
        init => _environment = value;
    }

    /// <summary>The child's working directory. Default: the main process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>When the child is restarted after it exits on its own. Default <see cref="RestartPolicy.Transient"/>: after an abnormal exit only.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.Transient;

    /// <summary>
    /// The restart intensity: at most this many automatic restarts within <see cref="RestartWindow"/>; one more exit and the
    /// child goes to <see cref="ProcessState.Failed"/> (see <see cref="FirnApp.OnProcessFailed(Func{string, CancellationToken, Task})"/>).
    /// 0 means the first abnormal exit fails it. Default 5.
    /// </summary>
    public int MaxRestarts
    {
        get => _maxRestarts;
        init => _maxRestarts = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxRestarts must be 0 or more.");
    }

    /// <summary>The time window of <see cref="MaxRestarts"/>. Default 60 s.</summary>
    public TimeSpan RestartWindow
    {
        get => _restartWindow;
        init => _restartWindow = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "RestartWindow must be positive.");
    }

    /// <summary>The back-off before the first automatic restart; it doubles after each further one, up to <see cref="MaxRestartDelay"/>. Default 1 s.</summary>
    public TimeSpan RestartDelay
    {
        get => _restartDelay;
        init => _restartDelay = TimeoutRange.NotNegative(value, "RestartDelay");
    }

    /// <summary>The longest back-off between automatic restarts. Default 30 s; at least <see cref="RestartDelay"/>.</summary>
    public TimeSpan MaxRestartDelay
    {
        get => _maxRestartDelay;
        init => _maxRestartDelay = TimeoutRange.NotNegative(value, "MaxRestartDelay");
    }

    /// <summary>Once an instance has been running this long, the back-off starts again from <see cref="RestartDelay"/>. Default 30 s.</summary>
    public TimeSpan BackoffResetAfter
    {
        get => _backoffResetAfter;
        init => _backoffResetAfter = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "BackoffResetAfter must be positive.");
    }

    /// <summary>Whether the whole app stops when this child goes to <see cref="ProcessState.Failed"/> (then <see cref="FirnApp.RunAsync"/> returns 1). Default false.</summary>
    public bool StopApplicationOnFailure { get; init; }

    /// <summary>
    /// Whether the child counts as running only once its entry calls <see cref="FirnProcessContext.SignalReady"/>,
    /// rather than as soon as its entry starts. Default false. Ignored for external commands.
    /// </summary>
    public bool WaitForReadySignal { get; init; }

    /// <summary>How long the child may take from spawn to ready before the start counts as failed and it is killed. Default: <see cref="FirnAppOptions.StartTimeout"/>.</summary>
    public TimeSpan? StartTimeout
    {
        get => _startTimeout;
        init => _startTimeout = value is null ? null : TimeoutRange.Positive(value.Value, "StartTimeout");
    }

    /// <summary>How long the child may take to exit after a stop request before it gets SIGTERM. Default: <see cref="FirnAppOptions.ShutdownTimeout"/>.</summary>
    public TimeSpan? ShutdownTimeout
    {
        get => _shutdownTimeout;
        init => _shutdownTimeout = value is null ? null : TimeoutRange.Positive(value.Value, "ShutdownTimeout");
    }

    /// <summary>How long the child may take to exit after SIGTERM before it gets SIGKILL. Default 2 s.</summary>
    public TimeSpan KillTimeout
    {
        get => _killTimeout;
        init => _killTimeout = TimeoutRange.Positive(value, "KillTimeout");
    }

    /// <summary>Where the child's standard output and error go. Default <see cref="ProcessOutput.Forward"/>: into the main process's log.</summary>
    public ProcessOutput Output { get; init; } = ProcessOutput.Forward;

    /// <summary>A copy that runs another command: every supervision setting kept, whatever settings are added later.</summary>
    internal ProcessOptions WithCommand(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var copy = (ProcessOptions)MemberwiseClone();
        copy._executable = executable;
        copy._arguments = arguments;
        copy._environment = environment;
        return copy;
    }
}
