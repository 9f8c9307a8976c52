using System.Runtime.InteropServices;
using Firn.Hosting;
using Firn.Routing;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>The main process's role: router, listening socket, children and lifespan.</content>
public sealed partial class FirnApp
{
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly List<ManagedProcess> _processes = [];
    private Router? _router;
    private MainServices? _services;
    private MainHost? _host;
    private Supervisor? _supervisor;
    private HeartbeatMonitor? _heartbeats;
    private Task _afterStartHooks = Task.CompletedTask;
    private bool _started;
    private bool _stopped;
    private string? _failedChild;

    /// <summary>The main process's socket path (main process only, after <see cref="StartAsync"/>).</summary>
    public string SocketPath => _host?.SocketPath ?? throw new InvalidOperationException("The app has not started, or this is not the main process.");

    internal Router Router => _router ?? throw new InvalidOperationException("The app has not started.");

    internal MainHost Host => _host ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The frame handlers every child session dispatches to (main process, after <see cref="StartAsync"/>).</summary>
    internal MainServices Services => _services ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>
    /// Starts the main process: its socket, the before-start hooks, then every child in declaration order, each
    /// awaited until it is ready and followed by its after-process-start hooks; then the after-start hooks.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when every child is running.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"StartAsync is for the main process; this is child '{ProcessName}'. Call RunAsync.");
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                throw new InvalidOperationException("The app was already started.");
            }

            _started = true;
            var link = _localLink!;
            _services = MainServices.Create(link.Router, Store, TopicHub, RpcTable, Options.MaxMessageSize);
            StartSweeper();
            _host = new MainHost(Options, link.Router, FindProcess, IsStartingChild, LoggerFactory.CreateLogger("Firn.Host"));
            _supervisor = CreateSupervisor(_host.SocketPath, _services);
            foreach (var declaration in _declarations)
            {
                _processes.Add(new ManagedProcess(declaration, _supervisor));

                // The built-in channels exist from the start, typed like the seed's untyped channels.
                link.Router.Open(link.Peer, ActiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
                link.Router.Open(link.Peer, PassiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
            }

            _heartbeats = new HeartbeatMonitor(_processes, Options.HeartbeatInterval, Options.HeartbeatTimeout);
            await _beforeStart.RunAsync(Logger, null, _stopping.Token).ConfigureAwait(false);
            foreach (var process in _processes)
            {
                await process.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            _afterStartHooks = _afterStart.StartAll(Logger, _stopping.Token);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops the app: cancels <see cref="Stopping"/>, runs the before-shutdown hooks, stops children in reverse
    /// declaration order (each after its before-process-shutdown hooks), then runs the after-shutdown hooks.
    /// </summary>
    /// <returns>Completes when everything has stopped.</returns>
    public async Task StopAsync()
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"StopAsync is for the main process; this is child '{ProcessName}'.");
        }

        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_started || _stopped)
            {
                return;
            }

            _stopped = true;
            _heartbeats?.Dispose();
            await SafeCancellation.CancelAsync(_stopping, Logger, "the app stopping").ConfigureAwait(false);
            await _beforeShutdown.RunAsync(Logger, null, CancellationToken.None).ConfigureAwait(false);
            for (var i = _processes.Count - 1; i >= 0; i--)
            {
                await _processes[i].StopAsync().ConfigureAwait(false);
            }

            await Task.WhenAny(_afterStartHooks, Task.Delay(Options.ShutdownTimeout)).ConfigureAwait(false);
            _host?.Dispose();
            StopSweeper();

            // Subscribers see every state change before the app reports itself stopped.
            if (_supervisor is not null)
            {
                await Task.WhenAny(_supervisor.FlushEventsAsync(), Task.Delay(Options.ShutdownTimeout)).ConfigureAwait(false);
            }

            await _afterShutdown.RunAsync(Logger, null, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
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
    public async Task RestartAsync(CancellationToken cancellationToken = default)
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
            await _beforeRestart.RunAsync(Logger, null, _stopping.Token).ConfigureAwait(false);
            for (var i = _processes.Count - 1; i >= 0; i--)
            {
                await _processes[i].StopForRestartAsync().ConfigureAwait(false);
            }

            foreach (var process in _processes)
            {
                await process.StartAfterRestartAsync(cancellationToken).ConfigureAwait(false);
            }

            await _afterRestart.RunAsync(Logger, null, _stopping.Token).ConfigureAwait(false);
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
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A child that cannot start stops the app; the children already running are stopped, not orphaned.
                AppLog.StartFailed(Logger, ex);
                await StopAsync().ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException)
            {
                await StopAsync().ConfigureAwait(false);
                return 0;
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

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from exiting at once: the app stops its children first.
        context.Cancel = true;
        RequestStop();
    }
}
