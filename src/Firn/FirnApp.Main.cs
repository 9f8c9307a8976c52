using System.Runtime.InteropServices;
using Firn.Hosting;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>The main process's role: router, listening socket, children and lifespan.</content>
public sealed partial class FirnApp
{
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly StopDeadline _stopDeadline = new();
    private readonly List<ManagedProcess> _processes = [];
    private Router? _router;
    private MainServices? _services;
    private MainHost? _host;
    private Supervisor? _supervisor;
    private HeartbeatMonitor? _heartbeats;
    private Task _afterStartHooks = Task.CompletedTask;
    private bool _started;
    private bool _stopped;
    private bool _runningMain;
    private string? _failedChild;

    /// <summary>The main process's socket path (main process only, after <see cref="StartAsync"/>).</summary>
    internal string SocketPath => _host?.SocketPath ?? throw new InvalidOperationException("The app has not started, or this is not the main process.");

    /// <summary>
    /// Completes when a stop is asked for (<see cref="RequestStop"/>, a child's request, a child that failed with
    /// <see cref="ProcessOptions.StopApplicationOnFailure"/>, or <see cref="StopAsync"/>): a host running the app stops on it.
    /// </summary>
    internal Task StopRequested => _stopRequested.Task;

    /// <summary>The child whose failure stopped the app (<see cref="ProcessOptions.StopApplicationOnFailure"/>), if any.</summary>
    internal string? FailedChild => Volatile.Read(ref _failedChild);

    /// <summary>The longest <see cref="StopAsync"/> takes: <see cref="FirnAppOptions.StopTimeout"/> and the grace past its deadline.</summary>
    internal TimeSpan StopBound => Options.StopTimeout + StopDeadline.Grace;

    internal Router Router => _router ?? throw new InvalidOperationException("The app has not started.");

    internal MainHost Host => _host ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The frame handlers every child session dispatches to (main process, after <see cref="StartAsync"/>).</summary>
    internal MainServices Services => _services ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>
    /// Starts the main process: its socket, the before-start hooks, then every child in declaration order, each
    /// awaited until it is ready and followed by its after-process-start hooks; then the after-start hooks. A stop asked
    /// for meanwhile (<see cref="RequestStop"/>, a signal, <see cref="StopAsync"/>) abandons the start at once: no
    /// further child is spawned, the one starting is killed, and no after-start hook runs.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when every child is running.</returns>
    /// <exception cref="OperationCanceledException">A stop was asked for, or <paramref name="cancellationToken"/> fired, before every child was running.</exception>
    internal async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"StartAsync is for the main process; this is child '{ProcessName}'. Call RunAsync.");
        }

        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _lifecycle.WaitAsync(starting.Token).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                throw new InvalidOperationException("The app was already started.");
            }

            _started = true;
            var link = _localLink!;
            _services = MainServices.Create(link.Router, StoreEngine, TopicHub, RpcTable, Options.MaxMessageSize);
            StartSweeper();
            _host = new MainHost(Options, _services.Channels, FindProcess, IsStartingChild, LoggerFactory.CreateLogger("Firn.Host"));
            _supervisor = CreateSupervisor(_host.SocketPath, _services);
            foreach (var declaration in _declarations)
            {
                lock (_processes)
                {
                    _processes.Add(new ManagedProcess(declaration, _supervisor));
                }

                // The built-in channels exist from the start, typed like the seed's untyped channels.
                link.Router.Open(link.Peer, ActiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
                link.Router.Open(link.Peer, PassiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
            }

            _services.MainRpcPeer = _localRpc;
            StartAdmin();
            _heartbeats = new HeartbeatMonitor(_processes, Options.HeartbeatInterval, Options.HeartbeatTimeout);
            await _beforeStart.RunAsync(Logger, null, timeout: null, starting.Token, _stopDeadline.HardToken).ConfigureAwait(false);
            foreach (var process in _processes)
            {
                starting.Token.ThrowIfCancellationRequested();
                await process.StartAsync(starting.Token).ConfigureAwait(false);
            }

            starting.Token.ThrowIfCancellationRequested();
            _afterStartHooks = _afterStart.StartAll(Logger, _stopping.Token);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops the app: cancels <see cref="Stopping"/> (a start or restart in progress is abandoned), runs the
    /// before-shutdown hooks, stops children in reverse declaration order (each after its before-process-shutdown
    /// hooks), then runs the after-shutdown hooks. The whole stop is bounded by <see cref="FirnAppOptions.StopTimeout"/>:
    /// at that deadline children still running are killed, and the stop returns at most 2 s later; hooks that ignore
    /// their tokens are abandoned (see <see cref="FirnAppOptions.ShutdownHookTimeout"/>), and after-start hooks still
    /// running 1 s after the children have stopped are abandoned too. Everything abandoned is logged. An app stopped
    /// before it started stays stopped: a later <see cref="StartAsync"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <returns>Completes when everything has stopped.</returns>
    internal async Task StopAsync()
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"StopAsync is for the main process; this is child '{ProcessName}'.");
        }

        // Before the lifecycle lock: a start or restart that holds it sees the stop at once and gives up. Stopping's
        // callbacks are user code: they get what a hook gets (1 s) before the stop goes on without them. RunAsync, if
        // it runs the app, returns once this stop is done.
        _stopRequested.TrySetResult();
        if (!await _stopDeadline.WaitAsync(BeginStopAsync(), LifespanHooks.AbandonGrace).ConfigureAwait(false))
        {
            AppLog.StoppingCallbacksAbandoned(Logger, LifespanHooks.AbandonGrace);
        }

        // A start stuck in a spawn that cannot be cancelled is not waited for past the deadline (whose kill still
        // reaches every child).
        try
        {
            await _lifecycle.WaitAsync(_stopDeadline.HardToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            AppLog.StopGaveUpOnLifecycle(Logger);
            return;
        }

        try
        {
            if (!_started || _stopped)
            {
                return;
            }

            _stopped = true;
            _heartbeats?.Dispose();
            if (_supervisor is { } supervisor)
            {
                await supervisor.RunShutdownHooksAsync(_beforeShutdown, Logger, null).ConfigureAwait(false);
                var children = StopChildrenAsync();
                if (!await _stopDeadline.WaitAsync(children).ConfigureAwait(false))
                {
                    AppLog.ChildrenAbandonedAtStop(Logger, StopDeadline.Grace);
                }
                else if (children.Exception is { } failure)
                {
                    AppLog.StopFailed(Logger, failure.GetBaseException());
                }
            }

            // Their token fired when the stop began; by now they have had the children's stop and one more second.
            if (!await _stopDeadline.WaitAsync(_afterStartHooks, LifespanHooks.AbandonGrace).ConfigureAwait(false))
            {
                AppLog.AfterStartHooksAbandoned(Logger, LifespanHooks.AbandonGrace);
            }

            _host?.Dispose();
            _admin?.Dispose();
            StopSweeper();
            if (_supervisor is { } stopped)
            {
                // Subscribers see every state change before the app reports itself stopped.
                await _stopDeadline.WaitAsync(stopped.FlushEventsAsync()).ConfigureAwait(false);
                await stopped.RunShutdownHooksAsync(_afterShutdown, Logger, null).ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Fires <see cref="Stopping"/> and starts the stop's deadline (once).</summary>
    private Task BeginStopAsync()
    {
        if (_stopDeadline.Arm(Options.StopTimeout))
        {
            // At the deadline, every child still alive is killed at once, not only the one whose turn it is.
            _stopDeadline.Token.UnsafeRegister(static state => ((FirnApp)state!).KillChildrenAtStopDeadline(), this);
        }

        return SafeCancellation.CancelAsync(_stopping, Logger, "the app stopping");
    }

    private void KillChildrenAtStopDeadline()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.KillAtStopDeadline();
            }
        }
    }

    /// <summary>Stops the children in reverse declaration order.</summary>
    private async Task StopChildrenAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Restarts the whole application: runs the before-restart hooks, stops every child in reverse declaration order
    /// (each after its before-process-restart hooks), starts them again in declaration order (each followed by its
    /// after-process-start and after-process-restart hooks), then runs the after-restart hooks. The main process, its
    /// channels and store, and the after-start hooks keep running; messages sent meanwhile wait in the channels.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start of the children.</param>
    /// <returns>Completes when every child is running again.</returns>
    internal async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"RestartAsync is for the main process; this is child '{ProcessName}'. Use FirnProcessContext.RequestApplicationRestart.");
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_started || _stopped)
            {
                throw new InvalidOperationException(_started ? "The app has stopped; it cannot be restarted." : "The app has not started; call StartAsync or RunAsync first.");
            }

            AppLog.Restarting(Logger);
            await _supervisor!.RunHooksAsync(_beforeRestart, Logger, null).ConfigureAwait(false);
            for (var i = _processes.Count - 1; i >= 0; i--)
            {
                await _processes[i].StopForRestartAsync().ConfigureAwait(false);
            }

            foreach (var process in _processes)
            {
                await process.StartAfterRestartAsync(cancellationToken).ConfigureAwait(false);
            }

            await _supervisor.RunHooksAsync(_afterRestart, Logger, null).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private Supervisor CreateSupervisor(string socketPath, MainServices services) => new()
    {
        SocketPath = socketPath,
        Services = services,
        AppOptions = Options,
        LoggerFactory = LoggerFactory,
        Hooks = _processHooks,
        AppStopping = _stopping.Token,
        StopDeadline = _stopDeadline,
        OnControlRequest = OnControlRequest,
        OnStateChanged = RaiseProcessStateChanged,
        OnFailed = OnProcessFailed,
    };

    private void OnControlRequest(ManagedProcess process, ControlRequest request)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Task work = request switch
        {
            ControlRequest.RestartSelf => process.RestartAsync(_stopping.Token),
            ControlRequest.StopSelf => process.StopAsync(),
            ControlRequest.RestartApplication => Task.Run(() => RestartAsync(_stopping.Token)),
            _ => Task.Run(RequestStop),
        };
        _ = work.ContinueWith(
            t => AppLog.ControlRequestFailed(Logger, t.Exception, request, process.Name),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    private void OnProcessFailed(ManagedProcess process)
    {
        if (process.Declaration.Options.StopApplicationOnFailure && !_stopping.IsCancellationRequested)
        {
            AppLog.StoppingAfterFailure(Logger, process.Name);
            Interlocked.CompareExchange(ref _failedChild, process.Name, null);
            RequestStop();
        }
    }

    private async Task<int> RunMainAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _runningMain, true);
        using var registration = cancellationToken.Register(RequestStop);
        PosixSignalRegistration? sigint = null, sigterm = null;
        if (Options.HandleSignals)
        {
            sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        try
        {
            try
            {
                await StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested || cancellationToken.IsCancellationRequested)
            {
                // Stopped while starting: the children already running are stopped, and that is a clean stop.
                AppLog.Stopping(Logger);
                await StopAsync().ConfigureAwait(false);
                return Volatile.Read(ref _failedChild) is null ? 0 : 1;
            }
            catch (Exception ex)
            {
                // A child that cannot start stops the app; the children already running are stopped, not orphaned.
                AppLog.StartFailed(Logger, ex);
                await StopAsync().ConfigureAwait(false);
                return 1;
            }

            await _stopRequested.Task.ConfigureAwait(false);
            AppLog.Stopping(Logger);
            await StopAsync().ConfigureAwait(false);
            return Volatile.Read(ref _failedChild) is null ? 0 : 1;
        }
        finally
        {
            sigint?.Dispose();
            sigterm?.Dispose();
        }
    }

    /// <summary>A stop request (signal, <see cref="RequestStop"/>, a child's request) while <see cref="RunAsync"/> runs the app.</summary>
    private void OnStopRequested()
    {
        _stopRequested.TrySetResult();
        if (Volatile.Read(ref _runningMain))
        {
            // At once, not when RunAsync gets to StopAsync: a start in progress is abandoned now.
            _ = SafeCancellation.CancelAsync(_stopping, Logger, "the app stopping");
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from exiting at once: the app stops its children first.
        context.Cancel = true;
        RequestStop();
    }
}
