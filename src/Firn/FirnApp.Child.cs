using System.Diagnostics;
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

    /// <summary>What the child holds from connecting until it has closed (watchdog, signal handlers, exit flush), disposed last first.</summary>
    private readonly Stack<IDisposable> _childResources = new();

    private ChildHost? _childHost;
    private FirnProcessContext? _context;
    private Func<FirnProcessContext, Task>? _entryPoint;
    private ProcessDeclaration? _childDeclaration;
    private Activity? _processSpan;

    /// <summary>This child's context, once it has connected (child only).</summary>
    internal FirnProcessContext ProcessContext => _context ?? throw new InvalidOperationException(
        IsMainProcess ? "FirnProcessContext exists only in a child process." : "This child has not connected to the main process yet.");

    /// <summary>Whether this child has connected and has its context (see <see cref="ConnectChildAsync"/>).</summary>
    internal bool IsChildConnected => _context is not null;

    private async Task<int> RunChildAsync(ChildEnvironment environment, CancellationToken cancellationToken)
    {
        if (await ConnectChildAsync(cancellationToken).ConfigureAwait(false) is { } failed)
        {
            return failed;
        }

        var exitCode = ChildExitCodes.EntryFailed;
        try
        {
            // Ready goes out before the entry can send anything, so the main process sees this child running first.
            SignalReadyUnlessWaiting();
            exitCode = await WaitForEntryAsync(StartEntry()).ConfigureAwait(false);
        }
        finally
        {
            exitCode = await CloseChildAsync(exitCode).ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>
    /// A child's first phase: finds its declaration, connects to the main process, installs the watchdog of the parent
    /// and the signal handlers (Ctrl+C ignored, SIGTERM a local stop), and creates the context. Returns
    /// <see langword="null"/> once connected, or the exit code of a child that cannot run (everything it set up is
    /// released then). After success, <see cref="CloseChildAsync"/> must follow.
    /// </summary>
    /// <param name="cancellationToken">Stops the child (as SIGTERM does) when it fires.</param>
    internal async Task<int?> ConnectChildAsync(CancellationToken cancellationToken)
    {
        var environment = _child ?? throw new InvalidOperationException("This is the main process.");
        var declaration = FindDeclarationLocked(environment.ProcessName);
        if (declaration is null || !_entries.TryGetValue(declaration.Name, out var entryPoint))
        {
            var declared = string.Join(", ", _declarations.Select(d => d.Name));
            AppLog.ChildNotDeclared(Logger, environment.ProcessName, declared);
            return ChildExitCodes.NotDeclared;
        }

        _childDeclaration = declaration;
        _entryPoint = entryPoint;

        // Everything this child does is under its process span, a child of the span that spawned it (the entry starts
        // in it: see StartEntry); it ends when the child has closed.
        if (ProcessSpans.StartChild(declaration.Name) is { } processSpan)
        {
            _processSpan = processSpan;
            _childResources.Push(processSpan);
        }

        var host = new ChildHost(environment, _channels, Options.CallTimeout, LoggerFactory.CreateLogger("Firn.Child"));
        _childHost = host;
        _channels.Bind(host.RouterLink);
        InitializeChildStorage(host);
        InitializeChildRpc(host);

        // No orphans: leave promptly once the main process is gone, whatever the entry does.
        if (ParentWatch.Start(environment.ParentProcessId, host.OnOrphaned, LoggerFactory.CreateLogger("Firn.Child")) is { } parentWatch)
        {
            _childResources.Push(parentWatch);
        }

        // Ctrl+C in a terminal reaches the whole process group; the main process decides how children stop.
        _childResources.Push(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        _childResources.Push(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            host.RequestLocalStop();
        }));
        _childResources.Push(cancellationToken.Register(host.RequestLocalStop));

        try
        {
            await host.ConnectAsync(MessageLimit, Options.ConnectionBufferLimit, Options.StartTimeout, Options.SocketPollWindow).ConfigureAwait(false);
        }
        catch (FirnConfigurationException ex)
        {
            AppLog.ChildCannotConnect(Logger, ex.Message);
            ReleaseChildResources();
            return ChildExitCodes.CannotConnect;
        }

        // What was sent reaches the main process even on Environment.Exit or an unhandled exception (only SIGKILL and
        // native crashes lose it).
        _childResources.Push(new ExitFlush(ReachedMainAsync, LoggerFactory.CreateLogger("Firn.Child")));

        var active = GetChannel<object?>(ActiveName(ProcessName));
        var passive = GetChannel<object?>(PassiveName(ProcessName));
        _context = new FirnProcessContext(this, host, active, passive, LoggerFactory.CreateLogger(ProcessName), host.Stopping);
        return null;
    }

    /// <summary>Tells the main process this child is ready, unless its declaration or the main process asked it to wait for <see cref="FirnProcessContext.SignalReady"/>.</summary>
    internal void SignalReadyUnlessWaiting()
    {
        if (!_child!.WaitForReadySignal && !_childDeclaration!.Options.WaitForReadySignal)
        {
            _childHost!.SignalReady();
        }
    }

    /// <summary>Starts the entry on the thread pool (after <see cref="ConnectChildAsync"/>).</summary>
    internal Task StartEntry()
    {
        var entryPoint = _entryPoint!;
        var context = ProcessContext;

        // Under the Generic Host a listener is often attached by a hosted service (OpenTelemetry's), which starts after
        // this child connected: the span that could not be recorded then is started now, for the entry to run in.
        if (_processSpan is null && ProcessSpans.StartChild(ProcessName) is { } lateSpan)
        {
            _processSpan = lateSpan;
            _childResources.Push(lateSpan);
        }

        var processSpan = _processSpan;
        return Task.Run(
            () =>
            {
                // The span was started in ConnectChildAsync, whose Activity.Current did not flow back out of it.
                if (processSpan is not null)
                {
                    Activity.Current = processSpan;
                }

                return entryPoint(context);
            },
            CancellationToken.None);
    }

    /// <summary>A stop from inside this child (its host stopping): <see cref="FirnProcessContext.Stopping"/> fires, as on SIGTERM; nothing if it is stopping already (a lost connection stays one).</summary>
    internal void RequestLocalStop()
    {
        if (_childHost is { } host && !host.Stopping.IsCancellationRequested)
        {
            host.RequestLocalStop();
        }
    }

    /// <summary>
    /// A child's last phase: lets its channels and RPC handlers drain, waits until the main process has everything it
    /// sent, closes the connection and releases what <see cref="ConnectChildAsync"/> set up. Returns the exit code:
    /// <paramref name="exitCode"/> (the entry's), or <see cref="ChildExitCodes.ConnectionLost"/> for a clean entry whose
    /// connection was lost without a stop request.
    /// </summary>
    internal async Task<int> CloseChildAsync(int exitCode)
    {
        var host = _childHost!;
        try
        {
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
        finally
        {
            ReleaseChildResources();
        }
    }

    private void ReleaseChildResources()
    {
        while (_childResources.TryPop(out var resource))
        {
            resource.Dispose();
        }
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

    /// <summary>
    /// Waits for the entry to return, or, once the child is stopping, at most the stop's grace; returns the entry's exit
    /// code (an entry that ignored the stop counts as a success, logged).
    /// </summary>
    internal async Task<int> WaitForEntryAsync(Task entry)
    {
        var host = _childHost!;
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
