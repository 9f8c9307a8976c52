using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Firn.GenericHost.Configuration;

/// <summary>
/// Binds the <c>Firn</c> section to <see cref="FirnSettings"/> key by key, as the configuration binder would, but a
/// malformed value or an unknown key becomes a problem that names the full key (the validator reports them all when the
/// host starts) instead of an exception on the first. Only keys present are set; the others keep their values.
/// </summary>
internal static class SettingsBinder
{
    /// <summary>Sets <paramref name="target"/>'s properties from the keys present in <paramref name="section"/>.</summary>
    /// <param name="section">The <c>Firn</c> section.</param>
    /// <param name="target">The settings to fill.</param>
    /// <param name="problems">Where a malformed value or an unknown key is described; <see langword="null"/> to skip them quietly.</param>
    public static void Bind(IConfiguration section, FirnSettings target, List<string>? problems)
    {
        var read = new SectionReader(section, problems);
        target.MainProcessName = read.String(nameof(FirnSettings.MainProcessName)) ?? target.MainProcessName;
        target.SocketDirectory = read.String(nameof(FirnSettings.SocketDirectory)) ?? target.SocketDirectory;
        target.MaxMessageSize = read.Int32(nameof(FirnSettings.MaxMessageSize)) ?? target.MaxMessageSize;
        target.ChannelSendWindow = read.Int32(nameof(FirnSettings.ChannelSendWindow)) ?? target.ChannelSendWindow;
        target.StartTimeout = read.TimeSpan(nameof(FirnSettings.StartTimeout)) ?? target.StartTimeout;
        target.ShutdownTimeout = read.TimeSpan(nameof(FirnSettings.ShutdownTimeout)) ?? target.ShutdownTimeout;
        target.StopTimeout = read.TimeSpan(nameof(FirnSettings.StopTimeout)) ?? target.StopTimeout;
        target.ShutdownHookTimeout = read.TimeSpan(nameof(FirnSettings.ShutdownHookTimeout)) ?? target.ShutdownHookTimeout;
        target.HandshakeTimeout = read.TimeSpan(nameof(FirnSettings.HandshakeTimeout)) ?? target.HandshakeTimeout;
        target.StoreMaxKeys = read.Int32(nameof(FirnSettings.StoreMaxKeys)) ?? target.StoreMaxKeys;
        target.StoreMaxBytes = read.Int64(nameof(FirnSettings.StoreMaxBytes)) ?? target.StoreMaxBytes;
        target.CallTimeout = read.TimeSpan(nameof(FirnSettings.CallTimeout)) ?? target.CallTimeout;
        target.MaxCallsInFlight = read.Int32(nameof(FirnSettings.MaxCallsInFlight)) ?? target.MaxCallsInFlight;
        target.ConnectionBufferLimit = read.Int32(nameof(FirnSettings.ConnectionBufferLimit)) ?? target.ConnectionBufferLimit;
        target.MaxChannelsPerProcess = read.Int32(nameof(FirnSettings.MaxChannelsPerProcess)) ?? target.MaxChannelsPerProcess;
        target.HeartbeatInterval = read.TimeSpan(nameof(FirnSettings.HeartbeatInterval)) ?? target.HeartbeatInterval;
        target.HeartbeatTimeout = read.TimeSpan(nameof(FirnSettings.HeartbeatTimeout)) ?? target.HeartbeatTimeout;
        target.SocketPollWindow = read.TimeSpan(nameof(FirnSettings.SocketPollWindow)) ?? target.SocketPollWindow;
        target.EnableMetrics = read.Boolean(nameof(FirnSettings.EnableMetrics)) ?? target.EnableMetrics;
        target.EnableAdmin = read.Boolean(nameof(FirnSettings.EnableAdmin)) ?? target.EnableAdmin;
        target.AdminDirectory = read.String(nameof(FirnSettings.AdminDirectory)) ?? target.AdminDirectory;
        target.AppName = read.String(nameof(FirnSettings.AppName)) ?? target.AppName;
        target.AdminLogLines = read.Int32(nameof(FirnSettings.AdminLogLines)) ?? target.AdminLogLines;
        foreach (var process in read.Sections(nameof(FirnSettings.Processes), "processes by name"))
        {
            if (!target.Processes.TryGetValue(process.Key, out var settings))
            {
                settings = new ProcessSettings();
                target.Processes.Add(process.Key, settings);
            }

            Bind(process, settings, problems);
        }

        read.ReportOwnValue("Firn settings by name");
        read.ReportUnknownKeys("a Firn setting", static key => typeof(ProcessSettings).GetProperty(key.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is null
            ? null
            : $"it is a process setting: {ConfigurationPath.Combine(ConfigurationPath.GetParentPath(key.Path) ?? "", nameof(FirnSettings.Processes), "NAME", key.Key)}");
    }

    private static void Bind(IConfigurationSection section, ProcessSettings target, List<string>? problems)
    {
        var read = new SectionReader(section, problems);
        target.Executable = read.String(nameof(ProcessSettings.Executable)) ?? target.Executable;
        target.Arguments = read.List(nameof(ProcessSettings.Arguments)) ?? target.Arguments;
        if (read.Map(nameof(ProcessSettings.Environment)) is { } environment)
        {
            target.Environment ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in environment)
            {
                target.Environment[name] = value;
            }
        }

        target.WorkingDirectory = read.String(nameof(ProcessSettings.WorkingDirectory)) ?? target.WorkingDirectory;
        target.Restart = read.Enum<RestartPolicy>(nameof(ProcessSettings.Restart)) ?? target.Restart;
        target.MaxRestarts = read.Int32(nameof(ProcessSettings.MaxRestarts)) ?? target.MaxRestarts;
        target.RestartWindow = read.TimeSpan(nameof(ProcessSettings.RestartWindow)) ?? target.RestartWindow;
        target.RestartDelay = read.TimeSpan(nameof(ProcessSettings.RestartDelay)) ?? target.RestartDelay;
        target.MaxRestartDelay = read.TimeSpan(nameof(ProcessSettings.MaxRestartDelay)) ?? target.MaxRestartDelay;
        target.BackoffResetAfter = read.TimeSpan(nameof(ProcessSettings.BackoffResetAfter)) ?? target.BackoffResetAfter;
        target.StopApplicationOnFailure = read.Boolean(nameof(ProcessSettings.StopApplicationOnFailure)) ?? target.StopApplicationOnFailure;
        target.WaitForReadySignal = read.Boolean(nameof(ProcessSettings.WaitForReadySignal)) ?? target.WaitForReadySignal;
        target.StartTimeout = read.TimeSpan(nameof(ProcessSettings.StartTimeout)) ?? target.StartTimeout;
        target.ShutdownTimeout = read.TimeSpan(nameof(ProcessSettings.ShutdownTimeout)) ?? target.ShutdownTimeout;
        target.KillTimeout = read.TimeSpan(nameof(ProcessSettings.KillTimeout)) ?? target.KillTimeout;
        target.Output = read.Enum<ProcessOutput>(nameof(ProcessSettings.Output)) ?? target.Output;
        read.ReportOwnValue("process settings by name");
        read.ReportUnknownKeys("a process setting");
    }
}
