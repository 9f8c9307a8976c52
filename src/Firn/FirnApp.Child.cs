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
            return 2;
        }

        var host = new ChildHost(environment, _channels, LoggerFactory.CreateLogger("Firn.Child"));
        _childHost = host;
        _channels.Bind(host);
        InitializeChildStorage(host);

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
            await host.ConnectAsync(Options.MaxMessageSize, Options.StartTimeout).ConfigureAwait(false);
        }
        catch (FirnConfigurationException ex)
        {
            AppLog.ChildCannotConnect(Logger, ex.Message);
            return 3;
        }

        var active = GetChannel<object?>(ActiveName(ProcessName));
        var passive = GetChannel<object?>(PassiveName(ProcessName));
        _context = new FirnProcessContext(this, host, active, passive, LoggerFactory.CreateLogger(ProcessName), host.Stopping);

        var entry = Task.Run(() => declaration.Entry(_context), CancellationToken.None);
        host.SignalReady();
        var exitCode = await WaitForEntryAsync(entry, host).ConfigureAwait(false);
        await _channels.DrainAsync(host.Disconnected.IsCompleted ? TimeSpan.Zero : Options.ShutdownTimeout / 2).ConfigureAwait(false);
        await host.FlushAndCloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return exitCode;
    }

    private async Task<int> WaitForEntryAsync(Task entry, ChildHost host)
    {
        var stopping = Task.Delay(Timeout.Infinite, host.Stopping);
        await Task.WhenAny(entry, stopping).ConfigureAwait(false);
        if (!entry.IsCompleted)
        {
            // Stopping: give the entry time to finish. After a lost connection nobody will kill us, so wait less.
            var grace = host.Disconnected.IsCompleted ? OrphanGrace : Options.ShutdownTimeout;
            if (await Task.WhenAny(entry, Task.Delay(grace)).ConfigureAwait(false) != entry)
            {
                AppLog.EntryIgnoredStop(Logger, ProcessName, grace);
                return 0;
            }
        }

        try
        {
            await entry.ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (host.Stopping.IsCancellationRequested)
        {
            return 0;
        }
#pragma warning disable CA1031 // The entry's failure becomes the exit code; it is logged, not rethrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AppLog.EntryFailed(Logger, ex, ProcessName);
            return 1;
        }
    }
}
