using Firn.Admin;
using Firn.Diagnostics;
using Firn.Hosting;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>The admin socket of the main process (docs/admin-protocol.md): operators' tools see and control the app through it.</content>
public sealed partial class FirnApp
{
    private AdminLogRing? _adminLogs;
    private AdminLogProvider? _adminLogProvider;
    private AdminEndpoint? _admin;

    /// <summary>The admin socket's path, or null when it is off or could not be started (main process, after start).</summary>
    internal string? AdminSocketPath => _admin?.SocketPath;

    /// <summary>The recent log lines kept for the admin socket's <c>logs</c> (main process with the admin socket on).</summary>
    internal AdminLogRing? AdminLogs => _adminLogs;

    private void CaptureLogsForAdmin()
    {
        _adminLogs = new AdminLogRing(Options.AdminLogLines);

        // Firn's own factory has no filter of its own: the provider applies the console's level, or every Debug call
        // site would format its message. A factory from outside filters by its own rules before the provider sees a line.
        _adminLogProvider = new AdminLogProvider(_adminLogs, Options.MainProcessName, _ownsLoggerFactory ? FirnConsole.DefaultLevel : LogLevel.Trace);
        try
        {
            LoggerFactory.AddProvider(_adminLogProvider);
        }
        catch (ObjectDisposedException)
        {
            _adminLogs = null;
        }
    }

    private void StartAdmin()
    {
        if (_adminLogs is null)
        {
            return;
        }

        _admin = AdminEndpoint.TryStart(
            new AdminServices
            {
                AppName = Options.AppName,
                MainProcessName = Options.MainProcessName,
                Main = _services!,
                SharedMemory = SharedMemory,
                Rpc = Rpc,
                Serializer = Serializer,
                Logs = _adminLogs,
                LoggerFactory = LoggerFactory,
                Registry = ProcessRegistry,
                Processes = () =>
                {
                    lock (_processes)
                    {
                        return [.. _processes];
                    }
                },
                RestartApp = RestartAsync,
                StopApp = RequestStop,
                Stopping = _stopping.Token,
            },
            Options.AdminDirectory,
            LoggerFactory.CreateLogger("Firn.Admin"));
    }
}
