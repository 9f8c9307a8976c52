using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// One declared child as the main process manages it: spawning an instance with a fresh secret,
/// authenticating its connection, watching it exit, and stopping it (ask, wait, SIGTERM, wait, SIGKILL).
/// </summary>
internal sealed partial class ManagedProcess
{
    private static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ExitDrainGrace = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _control = new(1, 1);
    private readonly string _socketPath;
    private readonly MainServices _services;
    private readonly FirnAppOptions _appOptions;
    private readonly ILogger _logger;
    private readonly Action<ManagedProcess, ControlRequest> _onControlRequest;
    private Process? _process;
    private byte[] _secret = [];
    private ChildSession? _session;
    private TaskCompletionSource<ChildSession> _connected = NewConnected();
    private TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime? _startedAt;

    public ManagedProcess(ProcessDeclaration declaration, string socketPath, MainServices services, FirnAppOptions appOptions, ILogger logger, Action<ManagedProcess, ControlRequest> onControlRequest)
    {
        Declaration = declaration;
        _socketPath = socketPath;
        _services = services;
        _appOptions = appOptions;
        _logger = logger;
        _onControlRequest = onControlRequest;
    }

    public ProcessDeclaration Declaration { get; }

    public string Name => Declaration.Name;

    public ProcessState State { get; private set; } = ProcessState.NotStarted;

    public int Restarts { get; private set; }

    public int? LastExitCode { get; private set; }

    public ProcessStatus GetStatus()
    {
        lock (_lock)
        {
            var running = _process is not null && State is ProcessState.Starting or ProcessState.Running or ProcessState.Stopping;
            return new ProcessStatus(Name, State, running ? _process!.Id : null, Restarts, running && _startedAt is { } at ? DateTime.UtcNow - at : null, LastExitCode);
        }
    }

    /// <summary>Spawns a new instance and waits until it has connected and authenticated.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Stops the current instance: ask over the connection, wait, SIGTERM, wait, SIGKILL.</summary>
    public async Task StopAsync()
    {
        await _control.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Stops the current instance, then starts a new one; stop, start and restart of one process never overlap.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
            lock (_lock)
            {
                Restarts++;
            }

            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Process process;
        TaskCompletionSource<ChildSession> connected;
        lock (_lock)
        {
            if (State is ProcessState.Starting or ProcessState.Running or ProcessState.Stopping)
            {
                throw new InvalidOperationException($"Process '{Name}' is already {State.ToString().ToLowerInvariant()}.");
            }

            var secretText = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            _secret = Encoding.UTF8.GetBytes(secretText);
            _connected = connected = NewConnected();
            _exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var environment = new ChildEnvironment(Name, _socketPath, secretText, Environment.ProcessId);
            process = new Process { StartInfo = ProcessLauncher.CreateStartInfo(Declaration, environment), EnableRaisingEvents = true };
            State = ProcessState.Starting;
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                State = ProcessState.Failed;
                process.Dispose();
                throw new FirnConfigurationException($"Process '{Name}' could not be started ({process.StartInfo.FileName}): {ex.Message}", ex);
            }

            _process = process;
            _startedAt = DateTime.UtcNow;
        }

        LogStarted(Name, process.Id);
        _ = WatchExitAsync(process, _exited, connected);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_appOptions.StartTimeout);
        try
        {
            await connected.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStartTimeout(Name, _appOptions.StartTimeout);
            await AbandonStartAsync(process).ConfigureAwait(false);
            throw new TimeoutException($"Process '{Name}' did not connect to the main process within {_appOptions.StartTimeout} (FirnAppOptions.StartTimeout).");
        }
        catch (OperationCanceledException)
        {
            // The caller gave up on the start: the half-started instance must not linger.
            await AbandonStartAsync(process).ConfigureAwait(false);
            throw;
        }

        lock (_lock)
        {
            if (State == ProcessState.Starting)
            {
                State = ProcessState.Running;
            }
        }
    }

    /// <summary>Checks a Hello from a connecting peer; returns the session on success or a reason to refuse.</summary>
    public ChildSession? Authenticate(ReadOnlySpan<byte> secret, PeerCredentials credentials, Connection connection, out string? refusal)
    {
        lock (_lock)
        {
            if (State != ProcessState.Starting || _process is null || _session is not null)
            {
                refusal = $"process '{Name}' is not expecting a connection (state {State})";
                return null;
            }

            if (!CryptographicOperations.FixedTimeEquals(secret, _secret))
            {
                refusal = $"wrong secret for process '{Name}'";
                return null;
            }

            if (credentials.UserId != PeerCredentials.CurrentUserId || credentials.ProcessId != _process.Id)
            {
                refusal = $"the peer (pid {credentials.ProcessId}, uid {credentials.UserId}) is not the spawned process '{Name}' (pid {_process.Id})";
                return null;
            }

            _session = new ChildSession(connection, _services, this);
            connection.Description = $"child '{Name}' (pid {credentials.ProcessId})";
            var session = _session;
            _ = connection.Closed.ContinueWith(_ => OnDisconnected(session), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            refusal = null;
            return session;
        }
    }

    /// <summary>Called once the Welcome was queued: the child counts as connected.</summary>
    public void OnAuthenticated(ChildSession session) => _connected.TrySetResult(session);

    public void OnReady(ChildSession session) => LogReady(Name);

    public void OnControlRequest(ChildSession session, ControlRequest request)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(session, _session) || session.ControlRequested)
            {
                return;
            }

            session.ControlRequested = true;
        }

        LogControlRequest(Name, request);
        _onControlRequest(this, request);
    }

    private async Task StopCoreAsync()
    {
        Process? process;
        ChildSession? session;
        Task<int> exited;
        int pid;
        lock (_lock)
        {
            process = _process;
            pid = process?.Id ?? 0;
            session = _session;
            exited = _exited.Task;
            if (process is null || State is ProcessState.Exited or ProcessState.Failed or ProcessState.NotStarted)
            {
                return;
            }

            State = ProcessState.Stopping;
        }

        var timeout = Declaration.Options.ShutdownTimeout ?? _appOptions.ShutdownTimeout;
        if (session is not null)
        {
            session.RequestStop();
        }
        else
        {
            Signal(pid, exited);
        }

        if (await Finished(exited, timeout).ConfigureAwait(false))
        {
            return;
        }

        LogEscalating(Name, "SIGTERM", timeout);
        Signal(pid, exited);
        if (await Finished(exited, TermGrace).ConfigureAwait(false))
        {
            return;
        }

        LogEscalating(Name, "SIGKILL", TermGrace);
        KillInstance(process);
        await exited.ConfigureAwait(false);
    }

    private async Task AbandonStartAsync(Process process)
    {
        Task exited;
        lock (_lock)
        {
            exited = _exited.Task;
        }

        KillInstance(process);
        await exited.ConfigureAwait(false);
        lock (_lock)
        {
            State = ProcessState.Failed;
        }
    }

    /// <summary>Sends SIGTERM unless the instance already exited (then its pid may belong to someone else).</summary>
    private static void Signal(int pid, Task exited)
    {
        if (!exited.IsCompleted)
        {
            _ = NativeMethods.kill(pid, NativeMethods.SIGTERM);
        }
    }

    private static async Task<bool> Finished(Task exited, TimeSpan timeout) =>
        await Task.WhenAny(exited, Task.Delay(timeout)).ConfigureAwait(false) == exited;

    private static TaskCompletionSource<ChildSession> NewConnected() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void KillInstance(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It already exited.
        }
    }

    private async Task WatchExitAsync(Process process, TaskCompletionSource<int> exited, TaskCompletionSource<ChildSession> connected)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        var code = process.ExitCode;
        ChildSession? session;
        bool expected;
        lock (_lock)
        {
            session = ReferenceEquals(process, _process) ? _session : null;
            expected = State == ProcessState.Stopping;
            if (ReferenceEquals(process, _process))
            {
                LastExitCode = code;
                State = ProcessState.Exited;
                _process = null;
                _session = null;
                _startedAt = null;
            }
        }

        connected.TrySetException(new InvalidOperationException($"Process '{Name}' exited with code {code} before it connected."));
        if (session is not null)
        {
            // The dead process's last frames may still be unread in the socket: let the read loop reach
            // the end of the stream on its own, and only force the close if it does not.
            await Task.WhenAny(session.Connection.Closed, Task.Delay(ExitDrainGrace)).ConfigureAwait(false);
            session.Connection.Close(ConnectionCloseReason.RemotePartyTerminated, "the process exited");
        }
        if (expected || code == 0)
        {
            LogExited(Name, code);
        }
        else
        {
            LogExitedUnexpectedly(Name, code);
        }

        process.Dispose();
        exited.TrySetResult(code);
    }

    private void OnDisconnected(ChildSession session)
    {
        _services.EndSession(session);
        lock (_lock)
        {
            if (ReferenceEquals(session, _session))
            {
                _session = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Started process '{Name}' (pid {Pid})")]
    private partial void LogStarted(string name, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Process '{Name}' is ready")]
    private partial void LogReady(string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Process '{Name}' did not connect within {Timeout}; it was killed")]
    private partial void LogStartTimeout(string name, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process '{Name}' asked: {Request}")]
    private partial void LogControlRequest(string name, ControlRequest request);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}' did not exit within {Timeout}; sending {Signal}")]
    private partial void LogEscalating(string name, string signal, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Process '{Name}' exited with code {Code}")]
    private partial void LogExited(string name, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}' exited unexpectedly with code {Code}")]
    private partial void LogExitedUnexpectedly(string name, int code);
}
