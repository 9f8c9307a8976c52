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
    private readonly LifespanHooks _beforeStart = new("before-start");
    private readonly LifespanHooks _afterStart = new("after-start");
    private readonly LifespanHooks _beforeShutdown = new("before-shutdown");
    private readonly LifespanHooks _afterShutdown = new("after-shutdown");
    private readonly List<ManagedProcess> _processes = [];
    private Router? _router;
    private MainServices? _services;
    private MainHost? _host;
    private Task _afterStartHooks = Task.CompletedTask;
    private bool _started;
    private bool _stopped;

    /// <summary>The main process's socket path (main process only, after <see cref="StartAsync"/>).</summary>
    public string SocketPath => _host?.SocketPath ?? throw new InvalidOperationException("The app has not started, or this is not the main process.");

    internal Router Router => _router ?? throw new InvalidOperationException("The app has not started.");

    internal MainHost Host => _host ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Registers a hook that runs (and is awaited) before any child starts.</summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnBeforeStart(Func<CancellationToken, Task> hook) => _beforeStart.Add(hook);

    /// <summary>
    /// Registers a hook that starts once every child is running. It runs alongside the app (it may loop until its
    /// token fires, like the seed's "send every 3 seconds"); stopping waits for it to return.
    /// </summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnAfterStart(Func<CancellationToken, Task> hook) => _afterStart.Add(hook);

    /// <summary>Registers a hook that runs before the children are stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnBeforeShutdown(Func<CancellationToken, Task> hook) => _beforeShutdown.Add(hook);

    /// <summary>Registers a hook that runs after every child has stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnAfterShutdown(Func<CancellationToken, Task> hook) => _afterShutdown.Add(hook);

    /// <summary>Starts the main process: its socket, then every child in declaration order, each awaited until connected; then the after-start hooks.</summary>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when every child is connected.</returns>
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
            var logger = LoggerFactory.CreateLogger("Firn.Router");
            _router = new Router(Options.ChannelSendWindow, Channels.ChannelOptions.MaxReceiveBufferSize, logger);
            _services = new MainServices(_router);
            StartMainStorage(_services);
            var link = new LocalRouterLink(_router, _channels, ProcessName);
            _channels.Bind(link);
            _host = new MainHost(Options, _router, FindProcess, LoggerFactory.CreateLogger("Firn.Host"));
            foreach (var declaration in _declarations)
            {
                _processes.Add(new ManagedProcess(declaration, _host.SocketPath, _services, Options, LoggerFactory.CreateLogger("Firn.Process"), OnControlRequest));

                // The built-in channels exist from the start, typed like the seed's untyped channels.
                _router.Open(link.Peer, ActiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
                _router.Open(link.Peer, PassiveName(declaration.Name), Channels.TypeNames.Of(typeof(object)));
            }

            await _beforeStart.RunAsync(Logger, _stopping.Token).ConfigureAwait(false);
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

    /// <summary>Stops the app: cancels <see cref="Stopping"/>, runs the before-shutdown hooks, stops children in reverse order, then runs the after-shutdown hooks.</summary>
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
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _beforeShutdown.RunAsync(Logger, CancellationToken.None).ConfigureAwait(false);
            for (var i = _processes.Count - 1; i >= 0; i--)
            {
                await _processes[i].StopAsync().ConfigureAwait(false);
            }

            await Task.WhenAny(_afterStartHooks, Task.Delay(Options.ShutdownTimeout)).ConfigureAwait(false);
            _host?.Dispose();
            StopMainStorage();
            await _afterShutdown.RunAsync(Logger, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>The status of every child, in declaration order.</summary>
    /// <returns>One snapshot per child.</returns>
    public IReadOnlyList<ProcessStatus> GetProcesses() => [.. _processes.Select(p => p.GetStatus())];

    /// <summary>The status of one child.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>A snapshot.</returns>
    public ProcessStatus GetProcess(string name) => RequireProcess(name).GetStatus();

    /// <summary>Starts a child that is not running.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the child is connected.</returns>
    public Task StartProcessAsync(string name, CancellationToken cancellationToken = default) => RequireProcess(name).StartAsync(cancellationToken);

    /// <summary>Stops a child gracefully (ask, wait, SIGTERM, wait, SIGKILL).</summary>
    /// <param name="name">The child's name.</param>
    /// <returns>Completes when the child has exited.</returns>
    public Task StopProcessAsync(string name) => RequireProcess(name).StopAsync();

    /// <summary>Stops a child gracefully and starts a new instance. Messages sent to it meanwhile wait in its channels' buffers.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>Completes when the new instance is connected.</returns>
    public Task RestartProcessAsync(string name, CancellationToken cancellationToken = default) => RequireProcess(name).RestartAsync(cancellationToken);

    private ManagedProcess? FindProcess(string name) => _processes.Find(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    private ManagedProcess RequireProcess(string name)
    {
        if (_child is not null)
        {
            throw new InvalidOperationException($"Only the main process manages children; this is child '{ProcessName}'.");
        }

        return FindProcess(name) ?? throw new ArgumentException(
            _processes.Count == 0 ? $"No process named '{name}': the app has not started or declares none." : $"No process named '{name}'. Declared: {string.Join(", ", _processes.Select(p => p.Name))}.",
            nameof(name));
    }

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
            _ => Task.Run(RequestStop),
        };
        _ = work.ContinueWith(
            t => AppLog.ControlRequestFailed(Logger, t.Exception, request, process.Name),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
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
            await StartAsync(cancellationToken).ConfigureAwait(false);
            await _stopRequested.Task.ConfigureAwait(false);
            AppLog.Stopping(Logger);
            await StopAsync().ConfigureAwait(false);
            return 0;
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
