namespace Firn;

/// <summary>
/// One child's settings in configuration (<c>Firn:Processes:&lt;name&gt;</c>), as bound: a <see langword="null"/>
/// property is absent, and the value the code set in <see cref="ProcessOptions"/>, or else Firn's default, applies.
/// </summary>
public sealed class ProcessSettings
{
    /// <summary>Key <c>Executable</c>: <see cref="ProcessOptions.Executable"/>. A process only configuration names needs one: it is an external command.</summary>
    public string? Executable { get; set; }

    /// <summary>Key <c>Arguments</c> (an array): <see cref="ProcessOptions.Arguments"/>. When present, it replaces the code's arguments.</summary>
    public IList<string>? Arguments { get; set; }

    /// <summary>Key <c>Environment</c> (variable names to values): <see cref="ProcessOptions.Environment"/>. Each variable present overrides the code's of that name; the code's others stay.</summary>
    public IDictionary<string, string>? Environment { get; set; }

    /// <summary>Key <c>WorkingDirectory</c>: <see cref="ProcessOptions.WorkingDirectory"/>.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Key <c>Restart</c> (<c>Permanent</c>, <c>Transient</c> or <c>Temporary</c>): <see cref="ProcessOptions.Restart"/>.</summary>
    public RestartPolicy? Restart { get; set; }

    /// <summary>Key <c>MaxRestarts</c>: <see cref="ProcessOptions.MaxRestarts"/>.</summary>
    public int? MaxRestarts { get; set; }

    /// <summary>Key <c>RestartWindow</c>: <see cref="ProcessOptions.RestartWindow"/>.</summary>
    public TimeSpan? RestartWindow { get; set; }

    /// <summary>Key <c>RestartDelay</c>: <see cref="ProcessOptions.RestartDelay"/>.</summary>
    public TimeSpan? RestartDelay { get; set; }

    /// <summary>Key <c>MaxRestartDelay</c>: <see cref="ProcessOptions.MaxRestartDelay"/>.</summary>
    public TimeSpan? MaxRestartDelay { get; set; }

    /// <summary>Key <c>BackoffResetAfter</c>: <see cref="ProcessOptions.BackoffResetAfter"/>.</summary>
    public TimeSpan? BackoffResetAfter { get; set; }

    /// <summary>Key <c>StopApplicationOnFailure</c>: <see cref="ProcessOptions.StopApplicationOnFailure"/>.</summary>
    public bool? StopApplicationOnFailure { get; set; }

    /// <summary>Key <c>WaitForReadySignal</c>: <see cref="ProcessOptions.WaitForReadySignal"/>.</summary>
    public bool? WaitForReadySignal { get; set; }

    /// <summary>Key <c>StartTimeout</c>: <see cref="ProcessOptions.StartTimeout"/>.</summary>
    public TimeSpan? StartTimeout { get; set; }

    /// <summary>Key <c>ShutdownTimeout</c>: <see cref="ProcessOptions.ShutdownTimeout"/>.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Key <c>KillTimeout</c>: <see cref="ProcessOptions.KillTimeout"/>.</summary>
    public TimeSpan? KillTimeout { get; set; }

    /// <summary>Key <c>Output</c> (<c>Forward</c> or <c>Inherit</c>): <see cref="ProcessOptions.Output"/>.</summary>
    public ProcessOutput? Output { get; set; }
}
