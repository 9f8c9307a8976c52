using System.Globalization;
using System.Text.Json;
using Firn.Hosting;
using Firn.Meters;
using Firn.Transport;

namespace Firn.Admin;

/// <content>The children: ps, describe, start, stop, restart, signal, restart-app, stop-app, wait.</content>
internal sealed partial class AdminDispatcher
{
    private static readonly TimeSpan WaitPollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(30);

    private AdminResult Ps()
    {
        var statuses = app.Processes().Select(p => p.GetStatus()).ToList();
        var here = app.Registry?.HostName;
        var others = app.Registry?.OtherHosts() ?? [];
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("processes");
            foreach (var status in statuses)
            {
                WriteProcess(w, status, here, published: null, extra: null);
            }

            foreach (var host in others)
            {
                foreach (var process in host.Processes)
                {
                    WriteProcess(w, process.Status, host.Host, process, extra: null);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private AdminResult Describe(AdminRequest request)
    {
        var name = request.RequireString("name");
        var host = request.OptionalString("host");
        var here = app.Registry?.HostName;
        if ((host is null || string.Equals(host, here, StringComparison.Ordinal)) && app.Find(name) is { } local)
        {
            return DescribeLocal(local, here);
        }

        var candidates = (app.Registry?.OtherHosts() ?? [])
            .Where(h => host is null || string.Equals(h.Host, host, StringComparison.Ordinal))
            .SelectMany(h => h.Processes.Where(p => string.Equals(p.Status.Name, name, StringComparison.Ordinal)).Select(p => (View: h, Process: p)))
            .ToList();
        if (candidates.Count == 0)
        {
            throw host is null
                ? AdminException.NotFound($"No process named '{name}'. Declared: {string.Join(", ", app.Processes().Select(p => p.Name))}.")
                : AdminException.NotFound($"No process named '{name}' on host '{host}'.");
        }

        if (candidates.Count > 1)
        {
            throw AdminException.NotFound($"Process '{name}' is on several hosts ({string.Join(", ", candidates.Select(c => c.View.Host))}); name one with 'host'.");
        }

        var (view, process) = candidates[0];
        var channels = view.Channels
            .Where(c => c.Members.Any(m => string.Equals(m.ProcessName, name, StringComparison.Ordinal)))
            .Select(c => c.Name)
            .ToList();

        // Another host's command line and policy are not published (a command line may hold secrets).
        return new AdminResult(w => WriteProcess(w, process.Status, view.Host, process, () =>
        {
            w.WriteNull("command");
            w.WriteNull("restartPolicy");
            w.WriteNull("maxRestarts");
            WriteNames(w, "channels", channels);
        }));
    }

    private AdminResult DescribeLocal(ManagedProcess process, string? host)
    {
        var status = process.GetStatus();
        var options = process.Declaration.Options;
        var channels = app.Main.Router.List()
            .Where(c => c.Members.Any(m => string.Equals(m.ProcessName, process.Name, StringComparison.Ordinal)))
            .Select(c => c.Name)
            .ToList();
        string[] command = options.Executable is { } executable
            ? [executable, .. options.Arguments]
            : [Environment.ProcessPath ?? "dotnet", .. Environment.GetCommandLineArgs().Skip(1)];
        return new AdminResult(w => WriteProcess(w, status, host, published: null, () =>
        {
            WriteNames(w, "command", command);
            w.WriteString("restartPolicy", options.Restart.ToString());
            w.WriteNumber("maxRestarts", options.MaxRestarts);
            WriteNames(w, "channels", channels);
        }));
    }

    private static void WriteNames(Utf8JsonWriter w, string property, IEnumerable<string> names)
    {
        w.WriteStartArray(property);
        foreach (var name in names)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
    }

    private async Task<AdminResult> StartAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken)
    {
        var targets = Targets(request.RequireString("name"));
        Audit(client, "start " + Describe(targets));
        foreach (var process in targets)
        {
            if (process.State is ProcessState.Starting or ProcessState.Running or ProcessState.Stopping && targets.Count > 1)
            {
                continue;
            }

            await Act(() => process.StartAsync(cancellationToken), process.Name).ConfigureAwait(false);
        }

        return AdminResult.Empty;
    }

    private async Task<AdminResult> StopAsync(AdminRequest request, AdminClient client)
    {
        var targets = Targets(request.RequireString("name"));
        Audit(client, "stop " + Describe(targets));
        for (var i = targets.Count - 1; i >= 0; i--)
        {
            var process = targets[i];
            await Act(process.StopAsync, process.Name).ConfigureAwait(false);
        }

        return AdminResult.Empty;
    }

    private async Task<AdminResult> RestartAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken)
    {
        var targets = Targets(request.RequireString("name"));
        Audit(client, "restart " + Describe(targets));
        foreach (var process in targets)
        {
            await Act(() => process.RestartAsync(cancellationToken), process.Name).ConfigureAwait(false);
        }

        return AdminResult.Empty;
    }

    private AdminResult Signal(AdminRequest request, AdminClient client)
    {
        var process = Require(request.RequireString("name"));
        var signal = ParseSignal(request.RequireValue("signal"));
        Audit(client, $"signal {signal} to {AdminText.Quote(process.Name)}");
        if (process.GetStatus().ProcessId is not { } pid)
        {
            throw new AdminException(AdminErrors.Failed, $"Process '{process.Name}' is not running ({process.State}).");
        }

        if (NativeMethods.kill(pid, signal) != 0)
        {
            throw new AdminException(AdminErrors.Failed, $"Signal {signal} could not be sent to process '{process.Name}' (pid {pid}): errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
        }

        return AdminResult.Empty;
    }

    private AdminResult RestartApp(AdminClient client)
    {
        Audit(client, "restart-app");
        return new AdminResult(AdminResult.Empty.WriteResult)
        {
            AfterReply = () => _ = Task.Run(async () =>
            {
                try
                {
                    await app.RestartApp(app.Stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or FirnException)
                {
                    LogRestartAppFailed(logger, ex);
                }
            }),
        };
    }

    private AdminResult StopApp(AdminClient client)
    {
        Audit(client, "stop-app");
        return new AdminResult(AdminResult.Empty.WriteResult) { AfterReply = () => _ = Task.Run(app.StopApp) };
    }

    private async Task<AdminResult> WaitAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        var process = Require(request.RequireString("name"));
        var stateText = request.RequireString("state");
        if (!Enum.TryParse<ProcessState>(stateText, ignoreCase: true, out var state) || !Enum.IsDefined(state) || int.TryParse(stateText, out _))
        {
            throw AdminException.BadRequest($"'{stateText}' is not a process state; one of {string.Join(", ", Enum.GetNames<ProcessState>())}");
        }

        var timeout = request.OptionalSeconds("timeout") ?? DefaultWaitTimeout;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = process.GetStatus();
            if (status.State == state)
            {
                return new AdminResult(w => WriteProcess(w, status, app.Registry?.HostName, published: null, extra: null));
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new AdminException(AdminErrors.Timeout, $"Process '{process.Name}' was not {state} within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; it is {status.State}.");
            }

            await Task.Delay(WaitPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task Act(Func<Task> action, string name)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FirnException or OperationCanceledException)
        {
            throw new AdminException(AdminErrors.Failed, $"Process '{name}': {ex.Message}");
        }
    }

    private static string Describe(IReadOnlyList<ManagedProcess> targets) =>
        targets.Count == 1 ? AdminText.Quote(targets[0].Name) : "all";

    private static int ParseSignal(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number is > 0 and < 65)
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var name = AdminRequest.ReadString(value, "signal").ToUpperInvariant();
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is > 0 and < 65)
            {
                return number;
            }

            name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
            var signal = name switch
            {
                "HUP" => 1,
                "INT" => 2,
                "QUIT" => 3,
                "KILL" => 9,
                "USR1" => 10,
                "USR2" => 12,
                "TERM" => 15,
                "CONT" => 18,
                "STOP" => 19,
                "TSTP" => 20,
                "WINCH" => 28,
                _ => 0,
            };
            if (signal != 0)
            {
                return signal;
            }
        }

        throw AdminException.BadRequest("'signal' must be a signal name (HUP, SIGHUP, TERM, KILL, USR1, ...) or a number from 1 to 64");
    }

    /// <summary>This host's child of that name; a child of another host is refused (only its own main process controls it).</summary>
    private ManagedProcess Require(string name) =>
        app.Find(name) ?? throw (HostViews.HostsOf(name, app.Registry) is { Count: > 0 } hosts
            ? new AdminException(AdminErrors.Failed, HostViews.OnOtherHost(name, hosts, app.Registry!.HostName))
            : AdminException.NotFound($"No process named '{name}'. Declared: {string.Join(", ", app.Processes().Select(p => p.Name))}."));

    private IReadOnlyList<ManagedProcess> Targets(string name) =>
        string.Equals(name, "all", StringComparison.Ordinal) && app.Find(name) is null ? app.Processes() : [Require(name)];

    /// <summary>A <c>Process</c> object: CPU and memory read now for this host's child (<paramref name="published"/> null), as published for another host's.</summary>
    private static void WriteProcess(Utf8JsonWriter w, ProcessStatus status, string? host, HostProcess? published, Action? extra)
    {
        w.WriteStartObject();
        w.WriteString("name", status.Name);
        w.WriteString("host", host);
        w.WriteString("state", status.State.ToString());
        AdminJson.WriteNullable(w, "pid", status.ProcessId);
        w.WriteNumber("restarts", status.Restarts);
        AdminJson.WriteNullable(w, "uptime", status.Uptime?.TotalSeconds);
        if (status.LastExitReason is { } reason)
        {
            w.WriteStartObject("lastExit");
            w.WriteString("reason", reason.ToString());
            AdminJson.WriteNullable(w, "code", status.LastExitCode);
            AdminJson.WriteNullable(w, "signal", status.LastSignal);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("lastExit");
        }

        if (published is not null)
        {
            AdminJson.WriteNullable(w, "cpuSeconds", published.CpuSeconds);
            AdminJson.WriteNullable(w, "memoryBytes", published.MemoryBytes);
        }
        else
        {
            var cpu = status.ProcessId is { } pid ? ProcStat.ReadCpuSeconds(pid) : null;
            AdminJson.WriteNullable(w, "cpuSeconds", cpu is { } c ? c.User + c.System : null);
            AdminJson.WriteNullable(w, "memoryBytes", status.ProcessId is { } p ? ProcStat.ReadResidentBytes(p) : null);
        }
        extra?.Invoke();
        w.WriteEndObject();
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Admin: restart-app failed")]
    private static partial void LogRestartAppFailed(Microsoft.Extensions.Logging.ILogger logger, Exception exception);
}
