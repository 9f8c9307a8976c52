using System.Globalization;
using Firn.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Firn.GenericHost.Configuration;

/// <summary>
/// Checks the <c>Firn</c> section when the host starts (<c>ValidateOnStart</c>) and reports every problem at once, each
/// naming its full key: values that cannot be read and unknown keys; each setting against the bounds
/// <see cref="FirnAppOptions"/> and <see cref="ProcessOptions"/> enforce when set (their own checks decide); the checks
/// across settings that <see cref="FirnApp"/> and <c>AddProcess</c> make, on configuration merged with the code's values;
/// and processes configuration names that the code does not declare, which must be commands.
/// </summary>
/// <param name="section">The <c>Firn</c> section, read again here for what the binding skipped.</param>
/// <param name="code">What the code declared.</param>
internal sealed partial class FirnSettingsValidator(IConfiguration section, CodeDeclarations code) : IValidateOptions<FirnSettings>
{
    private readonly string _prefix = section is IConfigurationSection { Path: var path } ? path + ConfigurationPath.KeyDelimiter : "";

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FirnSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new List<string>();
        SettingsBinder.Bind(section, new FirnSettings(), problems);
        var appOptions = CheckApp(options, problems);
        foreach (var (processName, settings) in options.Processes)
        {
            CheckProcess(processName, settings, appOptions, problems);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>
    /// Checks the app's settings, then the checks across them on the merged options; a setting out of bounds stands
    /// aside for those (the code's value or the default takes its place), so their problems are reported with its own.
    /// </summary>
    /// <returns>The merged options, with any setting out of bounds left out.</returns>
    private FirnAppOptions CheckApp(FirnSettings s, List<string> problems)
    {
        var checks = new Checks(_prefix, problems);
        checks.Bound(nameof(s.MainProcessName), s.MainProcessName is { Length: > 0 } ? s.MainProcessName : null, v => _ = new FirnAppOptions { MainProcessName = v });
        checks.NotEmpty(nameof(s.MainProcessName), s.MainProcessName);
        checks.NotEmpty(nameof(s.SocketDirectory), s.SocketDirectory);
        checks.Bound(nameof(s.MaxMessageSize), s.MaxMessageSize, v => _ = new FirnAppOptions { MaxMessageSize = v });
        checks.Bound(nameof(s.ChannelSendWindow), s.ChannelSendWindow, v => _ = new FirnAppOptions { ChannelSendWindow = v });
        checks.Bound(nameof(s.StartTimeout), s.StartTimeout, v => _ = new FirnAppOptions { StartTimeout = v });
        checks.Bound(nameof(s.ShutdownTimeout), s.ShutdownTimeout, v => _ = new FirnAppOptions { ShutdownTimeout = v });
        checks.Bound(nameof(s.StopTimeout), s.StopTimeout, v => _ = new FirnAppOptions { StopTimeout = v });
        checks.Bound(nameof(s.ShutdownHookTimeout), s.ShutdownHookTimeout, v => _ = new FirnAppOptions { ShutdownHookTimeout = v });
        checks.Bound(nameof(s.HandshakeTimeout), s.HandshakeTimeout, v => _ = new FirnAppOptions { HandshakeTimeout = v });
        checks.Bound(nameof(s.StoreMaxKeys), s.StoreMaxKeys, v => _ = new FirnAppOptions { StoreMaxKeys = v });
        checks.Bound(nameof(s.StoreMaxBytes), s.StoreMaxBytes, v => _ = new FirnAppOptions { StoreMaxBytes = v });
        checks.Bound(nameof(s.CallTimeout), s.CallTimeout, v => _ = new FirnAppOptions { CallTimeout = v });
        checks.Bound(nameof(s.MaxCallsInFlight), s.MaxCallsInFlight, v => _ = new FirnAppOptions { MaxCallsInFlight = v });
        checks.Bound(nameof(s.ConnectionBufferLimit), s.ConnectionBufferLimit, v => _ = new FirnAppOptions { ConnectionBufferLimit = v });
        checks.Bound(nameof(s.MaxChannelsPerProcess), s.MaxChannelsPerProcess, v => _ = new FirnAppOptions { MaxChannelsPerProcess = v });
        checks.Bound(nameof(s.HeartbeatInterval), s.HeartbeatInterval, v => _ = new FirnAppOptions { HeartbeatInterval = v });
        checks.Bound(nameof(s.HeartbeatTimeout), s.HeartbeatTimeout, v => _ = new FirnAppOptions { HeartbeatTimeout = v });
        checks.Bound(nameof(s.SocketPollWindow), s.SocketPollWindow, v => _ = new FirnAppOptions { SocketPollWindow = v });
        checks.NotEmpty(nameof(s.AdminDirectory), s.AdminDirectory);
        checks.Bound(nameof(s.AppName), s.AppName, v => _ = new FirnAppOptions { AppName = v });
        checks.Bound(nameof(s.AdminLogLines), s.AdminLogLines, v => _ = new FirnAppOptions { AdminLogLines = v });
        var merged = FirnConfiguration.ToAppOptions(checks.Failed ? Without(s, checks.FailedKeys) : s, code.AppOptions);
        CheckMerged(merged, code.Processes.Keys, _prefix, problems);
        return merged;
    }

    /// <summary>A copy of the app's settings with the given keys absent.</summary>
    private static FirnSettings Without(FirnSettings s, IReadOnlySet<string> keys)
    {
        var copy = new FirnSettings();
        foreach (var property in typeof(FirnSettings).GetProperties())
        {
            if (property.CanWrite)
            {
                property.SetValue(copy, keys.Contains(property.Name) ? null : property.GetValue(s));
            }
        }

        return copy;
    }

    /// <summary>
    /// The checks across settings of the app's options as merged (configuration over code), each failure naming its key
    /// under <paramref name="prefix"/>: the same checks <see cref="FirnApp"/> and <c>AddProcess</c> make. The validator
    /// makes them with the code's options when they were given as an instance; <c>AddFirn</c> again with the options a
    /// factory made, which exist only once the app is created.
    /// </summary>
    /// <param name="merged">The app's options, configuration merged over the code's.</param>
    /// <param name="declared">The names of the children the code declares.</param>
    /// <param name="prefix">The section's path with its delimiter (<c>Firn:</c>).</param>
    /// <param name="problems">Where each failure goes.</param>
    internal static void CheckMerged(FirnAppOptions merged, IEnumerable<string> declared, string prefix, List<string> problems)
    {
        var checks = new Checks(prefix, problems);
        if (merged.HeartbeatTimeoutTooShort)
        {
            checks.Fail(
                nameof(FirnSettings.HeartbeatTimeout),
                $"must be longer than {prefix}{nameof(FirnSettings.HeartbeatInterval)} ({Checks.Show(merged.HeartbeatInterval)}), or a child would be killed between two pings; Infinite turns heartbeats off (was {Checks.Show(merged.HeartbeatTimeout)})");
        }

        if (merged.ConnectionBufferLimit < merged.MinConnectionBufferLimit)
        {
            checks.Fail(
                nameof(FirnSettings.ConnectionBufferLimit),
                $"must hold one frame of the largest message, {prefix}{nameof(FirnSettings.MaxMessageSize)} ({merged.MaxMessageSize}) plus {merged.MinConnectionBufferLimit - merged.MaxMessageSize} bytes = {merged.MinConnectionBufferLimit} (was {merged.ConnectionBufferLimit})");
        }

        if (declared.FirstOrDefault(name => string.Equals(name, merged.MainProcessName, StringComparison.Ordinal)) is { } child)
        {
            checks.Fail(nameof(FirnSettings.MainProcessName), $"is the name of the child '{child}' the code declares; choose another name for the main process (was '{merged.MainProcessName}')");
        }
    }

    private void CheckProcess(string name, ProcessSettings s, FirnAppOptions appOptions, List<string> problems)
    {
        var path = $"{_prefix}{nameof(FirnSettings.Processes)}{ConfigurationPath.KeyDelimiter}{name}";
        var checks = new Checks(path + ConfigurationPath.KeyDelimiter, problems);
        var declared = code.Processes.Keys.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (declared is null)
        {
            if (s.Executable is null)
            {
                var names = code.Processes.Count == 0 ? "none" : string.Join(", ", code.Processes.Keys);
                problems.Add($"{path}: no process named '{name}' is declared in code (declared: {names}); a process only configuration declares is a command and needs {path}{ConfigurationPath.KeyDelimiter}{nameof(s.Executable)}");
            }

            try
            {
                ProcessDeclaration.ValidateName(name, appOptions.MainProcessName);
            }
            catch (ArgumentException ex)
            {
                problems.Add($"{path}: {Checks.Reason(ex)}");
            }
        }

        checks.NotEmpty(nameof(s.Executable), s.Executable);
        checks.NotEmpty(nameof(s.WorkingDirectory), s.WorkingDirectory);
        checks.Bound(nameof(s.MaxRestarts), s.MaxRestarts, v => _ = new ProcessOptions { MaxRestarts = v });
        checks.Bound(nameof(s.RestartWindow), s.RestartWindow, v => _ = new ProcessOptions { RestartWindow = v });
        checks.Bound(nameof(s.RestartDelay), s.RestartDelay, v => _ = new ProcessOptions { RestartDelay = v });
        checks.Bound(nameof(s.MaxRestartDelay), s.MaxRestartDelay, v => _ = new ProcessOptions { MaxRestartDelay = v });
        checks.Bound(nameof(s.BackoffResetAfter), s.BackoffResetAfter, v => _ = new ProcessOptions { BackoffResetAfter = v });
        checks.Bound(nameof(s.StartTimeout), s.StartTimeout, v => _ = new ProcessOptions { StartTimeout = v });
        checks.Bound(nameof(s.ShutdownTimeout), s.ShutdownTimeout, v => _ = new ProcessOptions { ShutdownTimeout = v });
        checks.Bound(nameof(s.KillTimeout), s.KillTimeout, v => _ = new ProcessOptions { KillTimeout = v });
        checks.Defined(nameof(s.Restart), s.Restart);
        checks.Defined(nameof(s.Output), s.Output);
        if (checks.Failed)
        {
            return;
        }

        var merged = FirnConfiguration.MergeProcessOptions(s, declared is null ? null : code.Processes[declared]);
        if (merged.MaxRestartDelay < merged.RestartDelay)
        {
            checks.Fail(nameof(s.MaxRestartDelay), $"must be at least {path}{ConfigurationPath.KeyDelimiter}{nameof(s.RestartDelay)} ({Checks.Show(merged.RestartDelay)}) (was {Checks.Show(merged.MaxRestartDelay)})");
            return;
        }

        try
        {
            ProcessDeclaration.ValidateOptions(name, merged);
        }
        catch (ArgumentException ex)
        {
            problems.Add($"{path}: {Checks.Reason(ex)}");
        }
    }
}
