using System.Runtime.InteropServices;
using Firn.Hosting;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>A child's role: connect to the main process, open the built-in channels, run the entry.</content>
public sealed partial class FirnApp
{
    /// <summary>How long a child's entry may keep running after the connection to the main process is lost.</summary>
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(1);

    private ChildHost? _childHost;
    private FirnProcessContext? _context;

    private async Task<int> RunChildAsync(ChildEnvironment environment, CancellationToken cancellationToken)
    {
        var declaration = _declarations.Find(d => string.Equals(d.Name, environment.ProcessName, StringComparison.Ordinal));
        if (declaration?.Entry is null)
        {
            var declared = string.Join(", ", _declarations.Select(d => d.Name));
            AppLog.ChildNotDeclared(Logger, environment.ProcessName, declared);
            return ChildExitCodes.NotDeclared;
        }

        var host = new ChildHost(environment, _channels, Options.CallTimeout, LoggerFactory.CreateLogger("Firn.Child"));
        _childHost = host;
        _channels.Bind(host);
        InitializeChildStorage(host);
        InitializeChildRpc(host);

        // No orphans: leave promptly once the main process is gone, whatever the entry does.
        using var parentWatch = ParentWatch.Start(environment.ParentProcessId, host.OnOrphaned, LoggerFactory.CreateLogger("Firn.Child"));

        // Ctrl+C in a terminal reaches the whole process group; the main process decides how children stop.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            host.RequestLocalStop();
        });
        using var external = cancellationToken.Register(host.RequestLocalStop);

        try
        {
            await host.ConnectAsync(Options.MaxMessageSize, Options.ConnectionBufferLimit, Options.StartTimeout).ConfigureAwait(false);
        }
        catch (FirnConfigurationException ex)
        {
            AppLog.ChildCannotConnect(Logger, ex.Message);
            return ChildExitCodes.CannotConnect;
        }

        var active = GetChannel<object?>(ActiveName(ProcessName));
        var passive = GetChannel<object?>(PassiveName(ProcessName));
        _context = new FirnProcessContext(this, host, active, passive, LoggerFactory.CreateLogger(ProcessName), host.Stopping);

        // Ready goes out before the entry can send anything, so the main process sees this child running first.
        if (!environment.WaitForReadySignal && !declaration.Options.WaitForReadySignal)
        {
            host.SignalReady();
        }

        var entry = Task.Run(() => declaration.Entry(_context), CancellationToken.None);
        var exitCode = await WaitForEntryAsync(entry, host).ConfigureAwait(false);
        var lost = host.Disconnected.IsCompleted || host.IsOrphaned;
        await _channels.DrainAsync(lost ? TimeSpan.Zero : Options.ShutdownTimeout / 2).ConfigureAwait(false);
        await DrainRpcAsync(lost ? TimeSpan.Zero : Options.ShutdownTimeout / 2).ConfigureAwait(false);
        await host.FlushAndCloseAsync(lost ? TimeSpan.Zero : TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return exitCode == ChildExitCodes.Success && lost && !host.StopRequested ? ChildExitCodes.ConnectionLost : exitCode;
    }

    private async Task<int> WaitForEntryAsync(Task entry, ChildHost host)
    {
        var stopping = Task.Delay(Timeout.Infinite, host.Stopping);
        await Task.WhenAny(entry, stopping).ConfigureAwait(false);
        if (!entry.IsCompleted)
        {
            // Stopping: give the entry time to finish. After a lost connection nobody will kill us, so wait less.
            var grace = host.Disconnected.IsCompleted || host.IsOrphaned ? OrphanGrace : Options.ShutdownTimeout;
            if (await Task.WhenAny(entry, Task.Delay(grace)).ConfigureAwait(false) != entry)
            {
                AppLog.EntryIgnoredStop(Logger, ProcessName, grace);
                return ChildExitCodes.Success;
            }
        }

        try
        {
            await entry.ConfigureAwait(false);
            return ChildExitCodes.Success;
        }
        catch (OperationCanceledException) when (host.Stopping.IsCancellationRequested)
        {
            return ChildExitCodes.Success;
        }
#pragma warning disable CA1031 // The entry's failure becomes the exit code; it is logged, not rethrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AppLog.EntryFailed(Logger, ex, ProcessName);
            return ChildExitCodes.EntryFailed;
        }
    }
}
