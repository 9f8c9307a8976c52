using System.Runtime.InteropServices;
using Firn.Hosting;
using Firn.Tracing;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>A child's role: connect to the main process, open the built-in channels, run the entry.</content>
public sealed partial class FirnApp
{
    /// <summary>How long a child's entry may keep running after the connection to the main process is lost.</summary>
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(1);

    /// <summary>The key a child reads to learn that the main process has handled everything it sent before (see <see cref="ReachedMainAsync"/>).</summary>
    private const string BarrierKey = "firn.barrier";

    private ChildHost? _childHost;
    private FirnProcessContext? _context;

    private async Task<int> RunChildAsync(ChildEnvironment environment, CancellationToken cancellationToken)
    {
        var declaration = _declarations.Find(d => string.Equals(d.Name, environment.ProcessName, StringComparison.Ordinal));
        if (declaration is null || !_entries.TryGetValue(declaration.Name, out var entryPoint))
        {
            var declared = string.Join(", ", _declarations.Select(d => d.Name));
            AppLog.ChildNotDeclared(Logger, environment.ProcessName, declared);
            return ChildExitCodes.NotDeclared;
        }

        // Everything this child does is under its process span, a child of the span that spawned it.
        using var processSpan = ProcessSpans.StartChild(declaration.Name);
        var host = new ChildHost(environment, _channels, Options.CallTimeout, LoggerFactory.CreateLogger("Firn.Child"));
        _childHost = host;
        _channels.Bind(host.RouterLink);
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
            await host.ConnectAsync(MessageLimit, Options.ConnectionBufferLimit, Options.StartTimeout).ConfigureAwait(false);
        }
        catch (FirnConfigurationException ex)
        {
            AppLog.ChildCannotConnect(Logger, ex.Message);
            return ChildExitCodes.CannotConnect;
        }

        // What was sent reaches the main process even on Environment.Exit or an unhandled exception (only SIGKILL and
        // native crashes lose it).
        using var exitFlush = new ExitFlush(ReachedMainAsync, LoggerFactory.CreateLogger("Firn.Child"));

        var active = GetChannel<object?>(ActiveName(ProcessName));
        var passive = GetChannel<object?>(PassiveName(ProcessName));
        _context = new FirnProcessContext(this, host, active, passive, LoggerFactory.CreateLogger(ProcessName), host.Stopping);

        // Ready goes out before the entry can send anything, so the main process sees this child running first.
        if (!environment.WaitForReadySignal && !declaration.Options.WaitForReadySignal)
        {
            host.SignalReady();
        }

        var entry = Task.Run(() => entryPoint(_context), CancellationToken.None);
        var exitCode = await WaitForEntryAsync(entry, host).ConfigureAwait(false);
        var lost = host.Disconnected.IsCompleted || host.IsOrphaned;
        await _channels.DrainAsync(lost ? TimeSpan.Zero : Options.ShutdownTimeout / 2).ConfigureAwait(false);
        await DrainRpcAsync(lost ? TimeSpan.Zero : Options.ShutdownTimeout / 2).ConfigureAwait(false);
        if (!lost)
        {
            // Written is not enough before closing: see ReachedMainAsync.
            await ReachedMainAsync(ExitFlush.Bound).ConfigureAwait(false);
        }

        await host.FlushAndCloseAsync(lost ? TimeSpan.Zero : TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return exitCode == ChildExitCodes.Success && lost && !host.StopRequested ? ChildExitCodes.ConnectionLost : exitCode;
    }

    /// <summary>
    /// Completes with <see langword="true"/> once the main process has read and handled every frame this child sent
    /// before the call, or <see langword="false"/> after <paramref name="timeout"/> or if the connection closed first.
    /// </summary>
    /// <remarks>
    /// Bytes written to the socket are not yet safe: when this child has exited, the main process's next write to it
    /// (a credit, an acknowledgement) fails, and it closes the connection with whatever it had not read yet still in the
    /// kernel. So the child makes a round trip: the main process handles a connection's frames in order on its read loop,
    /// and it answers a store read (of a key nobody writes; reading changes nothing) only after every frame before it was
    /// handled, its messages held by the router. On the read loop itself no answer can be read: there only the bytes are
    /// flushed.
    /// </remarks>
    private async Task<bool> ReachedMainAsync(TimeSpan timeout)
    {
        if (_childHost is not { } host || _childStore is not { } store)
        {
            return false;
        }

        try
        {
            if (Transport.Connection.IsOnReadLoop)
            {
                return await host.FlushAsync().WaitAsync(timeout).ConfigureAwait(false);
            }

            await store.ExecuteAsync(new Storage.StoreRequest(Storage.StoreOperation.Get, BarrierKey), CancellationToken.None).AsTask().WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is FirnException or TimeoutException)
        {
            return false;
        }
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
