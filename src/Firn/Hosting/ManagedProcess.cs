using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Firn.Failures;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// One declared child as the main process manages it: spawning an instance with a fresh secret, authenticating its
/// connection, waiting until it is ready, stopping it (ask, wait, SIGTERM, wait, SIGKILL), and restarting it when it
/// exits on its own (see ManagedProcess.Supervision.cs).
/// </summary>
/// <remarks>
/// Two locks: <see cref="_control"/> serializes the operations that spawn or stop (start, stop, restart, automatic
/// restart) and is held across awaits; <see cref="_lock"/> guards the fields and is never held across an await,
/// while user code (hooks, event handlers) runs, or while anything is logged (a state change is only queued under it). Hooks run outside both, so a hook may itself stop or restart this child.
/// </remarks>
internal sealed partial class ManagedProcess
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _control = new(1, 1);
    private readonly Supervisor _supervisor;
    private readonly ILogger _logger;
    private readonly RestartHistory _history = new();
    private ProcessState _state = ProcessState.NotStarted;
    private Instance? _instance;
    private CancellationTokenSource? _backoff;
    private int _stopsWaiting;

    /// <summary>The restart that last asked for control as a stopper, or null if a plain stop asked after it (guarded by <see cref="_lock"/>).</summary>
    private TaskCompletionSource? _latestRestart;
    private int _restarts;
    private int? _lastExitCode;
    private ProcessExitReason? _lastExitReason;
    private int? _lastSignal;
    private bool _warnedCommandNotTied;

    public ManagedProcess(ProcessDeclaration declaration, Supervisor supervisor)
    {
        Declaration = declaration;
        _supervisor = supervisor;
        _logger = supervisor.LoggerFactory.CreateLogger("Firn.Process");
    }

    public ProcessDeclaration Declaration { get; }

    public string Name => Declaration.Name;

    private ProcessOptions Options => Declaration.Options;

    private ProcessHooks Hooks => _supervisor.Hooks;

    public ProcessState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Starts a new instance and waits until it is ready; then runs the after-process-start hooks.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        CancelBackoff();
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_state is not (ProcessState.Starting or ProcessState.Running or ProcessState.Stopping))
                {
                    _history.Reset();
                }
            }

            await StartOrThrowAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }

        if (!_supervisor.AppStopping.IsCancellationRequested)
        {
            await _supervisor.RunHooksAsync(Hooks.AfterStart, _logger, Name).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the before-process-shutdown hooks, then stops the current instance (or cancels a pending restart).</summary>
    public async Task StopAsync()
    {
        if (State is ProcessState.Starting or ProcessState.Running)
        {
            await _supervisor.RunShutdownHooksAsync(Hooks.BeforeShutdown, _logger, Name).ConfigureAwait(false);
        }

        await StopWithoutHooksAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A requested restart: before-process-restart hooks, stop, start, then the after-start and after-restart hooks. A
    /// restart whose start another restart interrupts completes with that one: both callers wait for the same new instance.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await _supervisor.RunHooksAsync(Hooks.BeforeRestart, _logger, Name).ConfigureAwait(false);
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource? newer;
        try
        {
            newer = await StopAndStartAsync(mine, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(mine, [ex]);
            throw;
        }

        if (newer is not null)
        {
            // Whoever waits on this restart (an older one it interrupted) waits on the newer one too.
            _ = newer.Task.ContinueWith(
                done =>
                {
                    if (done.Exception is { } failed)
                    {
                        Fail(mine, failed.InnerExceptions);
                    }
                    else
                    {
                        mine.TrySetResult();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            await newer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunAfterRestartHooksAsync().ConfigureAwait(false);
        mine.TrySetResult();
    }

    /// <summary>Fails a restart's completion, marked observed: an older restart may wait on it, or none may.</summary>
    private static void Fail(TaskCompletionSource restart, IEnumerable<Exception> errors)
    {
        restart.TrySetException(errors);
        _ = restart.Task.Exception;
    }

    /// <summary>Stops and starts under the control lock; returns the newer restart that interrupted the start, if one did.</summary>
    private async Task<TaskCompletionSource?> StopAndStartAsync(TaskCompletionSource restart, CancellationToken cancellationToken)
    {
        await WaitForControlAsStopperAsync(cancellationToken, restart).ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
            await StartAsRestartAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && NewerRestart(restart) is { } newer)
        {
            return newer;
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>The restart that asked for control after <paramref name="restart"/>, unless a stop asked after both.</summary>
    private TaskCompletionSource? NewerRestart(TaskCompletionSource restart)
    {
        lock (_lock)
        {
            return _latestRestart is { } latest && latest != restart ? latest : null;
        }
    }

    /// <summary>The first half of an app restart: before-process-restart hooks, then stop.</summary>
    public async Task StopForRestartAsync()
    {
        await _supervisor.RunHooksAsync(Hooks.BeforeRestart, _logger, Name).ConfigureAwait(false);
        await StopWithoutHooksAsync().ConfigureAwait(false);
    }

    /// <summary>The second half of an app restart: start, then the after-start and after-restart hooks.</summary>
    public async Task StartAfterRestartAsync(CancellationToken cancellationToken)
    {
        CancelBackoff();
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StartAsRestartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }

        await RunAfterRestartHooksAsync().ConfigureAwait(false);
    }

    /// <summary>Starts a new instance that counts as a restart; the caller holds the control lock.</summary>
    private Task StartAsRestartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _restarts++;
        }

        return StartOrThrowAsync(cancellationToken);
    }

    /// <summary>Whether <paramref name="pid"/> is this child's spawned instance, still waiting for its connection (admission at accept time).</summary>
    public bool ExpectsConnectionFrom(int pid)
    {
        lock (_lock)
        {
            var instance = _instance;
            return IsExpectingConnectionLocked(instance) && instance.Pid == pid;
        }
    }

    /// <summary>
    /// Accepts the peer of a Hello that named this child as the session of the instance being started, if the
    /// handshake's checks (<see cref="Handshake.Verify"/>) find it is that instance; otherwise returns null and the
    /// reason to refuse it. The check and the acceptance happen under one lock, so the instance cannot change between.
    /// </summary>
    public ChildSession? Accept(ReadOnlySpan<byte> secret, PeerCredentials credentials, Connection connection, out string? refusal)
    {
        lock (_lock)
        {
            var instance = _instance;
            if (!IsExpectingConnectionLocked(instance))
            {
                refusal = $"process '{Name}' is not expecting a connection (state {_state})";
                return null;
            }

            refusal = Handshake.Verify(new ExpectedInstance(Name, instance.Pid, PeerCredentials.CurrentUserId, instance.Secret), secret, credentials);
            if (refusal is not null)
            {
                return null;
            }

            var session = new ChildSession(connection, _supervisor.Services, this);
            instance.Session = session;
            connection.Description = $"child '{Name}' (pid {credentials.ProcessId})";
            _ = connection.Closed.ContinueWith(_ => OnDisconnected(instance, session), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return session;
        }
    }

    private bool IsExpectingConnectionLocked([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] Instance? instance) =>
        !Declaration.IsCommand && _state == ProcessState.Starting && instance?.Process is not null && instance.Session is null && !instance.HasExited;

    /// <summary>Called once the Welcome was queued.</summary>
    public void OnAuthenticated(ChildSession session)
    {
        lock (_lock)
        {
            if (_instance is { } instance && ReferenceEquals(instance.Session, session))
            {
                instance.Connected = true;
            }
        }
    }

    /// <summary>The child's Ready frame: its entry started, or it signalled readiness.</summary>
    public void OnReady(ChildSession session)
    {
        Instance? instance;
        lock (_lock)
        {
            instance = _instance is { } current && ReferenceEquals(current.Session, session) ? current : null;
        }

        instance?.Ready.TrySetResult();
    }

    public void OnControlRequest(ChildSession session, ControlRequest request)
    {
        lock (_lock)
        {
            if (_instance is null || !ReferenceEquals(session, _instance.Session) || session.ControlRequested)
            {
                return;
            }

            session.ControlRequested = true;
        }

        LogControlRequest(Name, request);
        _supervisor.OnControlRequest(this, request);
    }

    private async Task RunAfterRestartHooksAsync()
    {
        // A child that became ready while the app began to stop runs no after-start hooks: it is about to be stopped.
        if (!_supervisor.AppStopping.IsCancellationRequested)
        {
            await _supervisor.RunHooksAsync(Hooks.AfterStart, _logger, Name).ConfigureAwait(false);
            await _supervisor.RunHooksAsync(Hooks.AfterRestart, _logger, Name).ConfigureAwait(false);
        }
    }

    private async Task StopWithoutHooksAsync()
    {
        await WaitForControlAsStopperAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Takes <see cref="_control"/> for a stop. While it waits, a pending restart is cancelled, a start in progress is
    /// abandoned, and no new start begins, so a stop never waits out a back-off or a start timeout.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="restart">The restart asking, or null for a stop: a start this interrupts tells them apart by it.</param>
    private async Task WaitForControlAsStopperAsync(CancellationToken cancellationToken, TaskCompletionSource? restart = null)
    {
        CancellationTokenSource? backoff, abort;
        lock (_lock)
        {
            _latestRestart = restart;
            _stopsWaiting++;
            backoff = _backoff;
            _backoff = null;
            abort = _instance?.Abort;
        }

        // Outside the lock: cancelling may run the waiting start or restart inline.
        backoff?.Cancel();
        abort?.Cancel();

        try
        {
            await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _stopsWaiting--;
            }
        }
    }

    private void CancelBackoff()
    {
        CancellationTokenSource? backoff;
        lock (_lock)
        {
            backoff = _backoff;
            _backoff = null;
        }

        backoff?.Cancel();
    }

    /// <summary>A start that someone asked for: on failure the child goes to <see cref="ProcessState.Failed"/> and the caller gets the error.</summary>
    private async Task StartOrThrowAsync(CancellationToken cancellationToken)
    {
        var failure = await TryStartInstanceAsync(cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            return;
        }

        lock (_lock)
        {
            Transition(failure.Aborted ? ProcessState.Exited : ProcessState.Failed);
        }

        throw failure.Error;
    }

    /// <summary>Spawns an instance and waits until it is ready. Returns null on success; a failure leaves the state at Starting for the caller to settle.</summary>
    private async Task<StartFailure?> TryStartInstanceAsync(CancellationToken cancellationToken)
    {
        Instance instance;
        lock (_lock)
        {
            if (_state is ProcessState.Starting or ProcessState.Running or ProcessState.Stopping)
            {
                throw new InvalidOperationException($"Process '{Name}' is already {_state.ToString().ToLowerInvariant()}.");
            }

            if (_stopsWaiting > 0 || _supervisor.AppStopping.IsCancellationRequested)
            {
                return Abandoned();
            }

            var secretText = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            instance = new Instance(Encoding.UTF8.GetBytes(secretText));
            _instance = instance;
            Transition(ProcessState.Starting);
        }

        try
        {
            var info = Declaration.IsCommand
                ? ProcessLauncher.CreateCommandStartInfo(Declaration)
                : ProcessLauncher.CreateStartInfo(Declaration, new ChildEnvironment(Name, _supervisor.SocketPath, Encoding.UTF8.GetString(instance.Secret), Environment.ProcessId, Options.WaitForReadySignal));
            await ProcessSpawner.RunAsync(() => Spawn(instance, info)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or FirnConfigurationException)
        {
            lock (_lock)
            {
                _instance = null;
                RecordExit(ProcessExitReason.StartFailed, null);
            }

            var error = ex as FirnConfigurationException ?? FirnErrors.StartFailed(Name, ex);
            return new StartFailure(ProcessExitReason.StartFailed, error);
        }

        _ = WatchExitAsync(instance);
        if (Declaration.IsCommand)
        {
            // Spawn already made it Running: an instant exit is an exit of a running command.
            WarnIfCommandNotTied();
            return null;
        }

        var timeout = Options.StartTimeout ?? _supervisor.AppOptions.StartTimeout;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, instance.Abort.Token, _supervisor.AppStopping);
        waiting.CancelAfter(timeout);
        try
        {
            await instance.Ready.Task.WaitAsync(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (instance.Abort.IsCancellationRequested || _supervisor.AppStopping.IsCancellationRequested)
        {
            // A stop of this child or of the app: the start is abandoned at once, and that is no failure of the child.
            await AbandonAsync(instance, timedOut: false).ConfigureAwait(false);
            return Abandoned();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up on the start: the half-started instance must not linger.
            await AbandonAsync(instance, timedOut: false).ConfigureAwait(false);
            lock (_lock)
            {
                Transition(ProcessState.Failed);
            }

            throw;
        }
        catch (OperationCanceledException)
        {
            bool connected;
            lock (_lock)
            {
                connected = instance.Connected;
            }

            LogStartTimeout(Name, timeout, connected ? "it connected but did not signal readiness" : "it did not connect");
            await AbandonAsync(instance, timedOut: true).ConfigureAwait(false);
            return new StartFailure(
                ProcessExitReason.StartTimeout,
                new TimeoutException($"Process '{Name}' did not become ready within {timeout} ({(connected ? "it connected but did not signal readiness" : "it did not connect to the main process")}). Raise ProcessOptions.StartTimeout or FirnAppOptions.StartTimeout if it needs longer."));
        }
        catch (InvalidOperationException ex)
        {
            // It exited before it was ready.
            await instance.Exited.Task.ConfigureAwait(false);
            return new StartFailure(instance.ExitReason ?? ProcessExitReason.Crashed, ex);
        }

        lock (_lock)
        {
            if (ReferenceEquals(_instance, instance) && _state == ProcessState.Starting && !instance.HasExited)
            {
                instance.RunningSince = RestartHistory.Now;
                Transition(ProcessState.Running);
                return null;
            }
        }

        // It exited right after it became ready (a quick job): the start succeeded, and its exit is settled like any
        // exit of a running child (the exit watcher left that to the start, since the state was still Starting).
        await instance.Exited.Task.ConfigureAwait(false);
        Action? next = null;
        lock (_lock)
        {
            if (_state == ProcessState.Starting)
            {
                instance.RunningSince = RestartHistory.Now;
                Transition(ProcessState.Running);
                next = SettleAfterExitLocked(instance.ExitReason ?? ProcessExitReason.Crashed, TimeSpan.Zero);
            }
        }

        next?.Invoke();
        return null;
    }

    private StartFailure Abandoned() => new(
        ProcessExitReason.Stopped,
        new OperationCanceledException($"The start of process '{Name}' was abandoned: {(_supervisor.AppStopping.IsCancellationRequested ? "the app is stopping" : "it is being stopped")}.", _supervisor.AppStopping),
        Aborted: true);

    /// <summary>Runs on <see cref="ProcessSpawner"/>'s thread: starts the process and wires its output.</summary>
    private int Spawn(Instance instance, ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var secretFd = -1;
        try
        {
            if (!Declaration.IsCommand)
            {
                secretFd = SecretHandover.CreateReadEnd(instance.Secret);
                info.Environment[ChildEnvironment.SecretFdVariable] = secretFd.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }
        finally
        {
            // The child has its own copy now (or none, if it failed to start).
            if (secretFd >= 0)
            {
                _ = NativeMethods.close(secretFd);
            }
        }

        lock (_lock)
        {
            instance.Process = process;
            instance.Pid = process.Id;
            instance.SpawnedAt = RestartHistory.Now;
            if (Declaration.IsCommand)
            {
                // A command is ready once spawned; this happens before its exit can be watched.
                instance.RunningSince = instance.SpawnedAt;
                Transition(ProcessState.Running);
            }
        }

        if (Options.Output == ProcessOutput.Forward)
        {
            var parseLevels = !Declaration.IsCommand;
            var output = _supervisor.LoggerFactory.CreateLogger(Name);
            instance.OutputReaders = [process.StandardOutput, process.StandardError];
            instance.Output = Task.WhenAll(
                ChildOutputForwarder.ForwardAsync(process.StandardOutput, output, Name, isError: false, parseLevels),
                ChildOutputForwarder.ForwardAsync(process.StandardError, output, Name, isError: true, parseLevels));
        }

        return process.Id;
    }

    /// <summary>Kills an instance that did not become ready, and waits until its exit has been handled.</summary>
    private async Task AbandonAsync(Instance instance, bool timedOut)
    {
        lock (_lock)
        {
            instance.StopRequested = true;
            instance.StartTimedOut = timedOut;
        }

        KillInstance(instance);
        await instance.Exited.Task.ConfigureAwait(false);
    }

    /// <summary>Ask over the connection (SIGTERM for a command), wait, SIGTERM, wait, SIGKILL.</summary>
    private async Task StopCoreAsync()
    {
        Instance? instance;
        ChildSession? session;
        bool connected;
        lock (_lock)
        {
            if (_state == ProcessState.Backoff)
            {
                Transition(ProcessState.Exited);
                return;
            }

            instance = _instance;
            if (instance is null || _state is not (ProcessState.Starting or ProcessState.Running))
            {
                return;
            }

            instance.StopRequested = true;
            session = instance.Session;
            connected = instance.Connected;
            Transition(ProcessState.Stopping);
        }

        // Each wait ends early at the app's stop deadline: what is still running then is killed.
        var shutdownTimeout = Options.ShutdownTimeout ?? _supervisor.AppOptions.ShutdownTimeout;
        if (connected)
        {
            // A child whose connection is closing or closed is on its way out (a SIGTERM to the whole process group
            // reached it first, say): it gets the same time to finish, since a SIGTERM that comes after its own
            // handler is gone would end a clean exit by the signal. Only a command, or a child that never connected,
            // gets SIGTERM at once: nothing else can ask it to stop.
            if (session is { Connection.IsClosing: false })
            {
                session.RequestStop();
            }

            if (await FinishedAsync(instance, shutdownTimeout).ConfigureAwait(false))
            {
                return;
            }

            LogEscalating(Name, "SIGTERM", shutdownTimeout);
            SendSigterm(instance);
            if (await FinishedAsync(instance, Options.KillTimeout).ConfigureAwait(false))
            {
                return;
            }

            LogEscalating(Name, "SIGKILL", Options.KillTimeout);
        }
        else
        {
            SendSigterm(instance);
            if (await FinishedAsync(instance, shutdownTimeout).ConfigureAwait(false))
            {
                return;
            }

            LogEscalating(Name, "SIGKILL", shutdownTimeout);
        }

        lock (_lock)
        {
            instance.Killed = true;
        }

        KillInstance(instance);
        await instance.Exited.Task.ConfigureAwait(false);
    }

    private async Task<bool> FinishedAsync(Instance instance, TimeSpan timeout)
    {
        try
        {
            await instance.Exited.Task.WaitAsync(timeout, _supervisor.StopDeadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The app's stop deadline passed: the instance still alive is killed now, whatever stop phase it is in (or
    /// before its turn in the stop's reverse order). Its exit counts as <see cref="ProcessExitReason.Killed"/>.
    /// </summary>
    public void KillAtStopDeadline()
    {
        Instance? instance;
        lock (_lock)
        {
            instance = _instance;
            if (instance is null || instance.HasExited || instance.Process is null)
            {
                return;
            }

            instance.StopRequested = true;
            instance.Killed = true;
        }

        LogKilledAtDeadline(Name, _supervisor.AppOptions.StopTimeout);
        KillInstance(instance);
    }

    /// <summary>Sends SIGTERM unless the instance already exited (then its pid may belong to someone else).</summary>
    private void SendSigterm(Instance instance)
    {
        lock (_lock)
        {
            if (!instance.HasExited)
            {
                _ = NativeMethods.kill(instance.Pid, NativeMethods.SIGTERM);
            }
        }
    }

    private void KillInstance(Instance instance)
    {
        Process? process;
        lock (_lock)
        {
            process = instance.HasExited ? null : instance.Process;
        }

        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or System.ComponentModel.Win32Exception)
        {
            // It already exited.
        }
    }

    private void WarnIfCommandNotTied()
    {
        lock (_lock)
        {
            if (ProcessLauncher.CanTieCommandsToParent || _warnedCommandNotTied)
            {
                return;
            }

            _warnedCommandNotTied = true;
        }

        LogCommandNotTied(Name);
    }

    private void OnDisconnected(Instance instance, ChildSession session)
    {
        _supervisor.Services.EndSession(session);
        lock (_lock)
        {
            if (ReferenceEquals(instance.Session, session))
            {
                instance.Session = null;
            }
        }
    }
}
