using System.Globalization;
using Firn.Routing;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>What every <see cref="ManagedProcess"/> of an app shares: where children connect, the hooks, and the app's callbacks.</summary>
internal sealed partial class Supervisor
{
    private readonly SerialQueue _events = new();
    private ILogger? _logger;

    public required string SocketPath { get; init; }

    public required MainServices Services { get; init; }

    public Router Router => Services.Router;

    public required FirnAppOptions AppOptions { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public required ProcessHooks Hooks { get; init; }

    /// <summary>Fires when the app stops: no automatic restart begins after it.</summary>
    public required CancellationToken AppStopping { get; init; }

    /// <summary>The deadline of the app's stop; armed once a stop is asked for.</summary>
    public required StopDeadline StopDeadline { get; init; }

    /// <summary>A child asked something of the main process.</summary>
    public required Action<ManagedProcess, ControlRequest> OnControlRequest { get; init; }

    /// <summary>A child changed state; called in order, one at a time, never under a lock.</summary>
    public required Action<ProcessStateChangedEventArgs> OnStateChanged { get; init; }

    /// <summary>A child went to <see cref="ProcessState.Failed"/> after its failed hooks ran.</summary>
    public required Action<ManagedProcess> OnFailed { get; init; }

    private ILogger Logger => _logger ??= LoggerFactory.CreateLogger("Firn.Supervisor");

    /// <summary>
    /// Queues a state change for its log line and then <see cref="OnStateChanged"/>, keeping the order of the calls.
    /// </summary>
    /// <remarks>
    /// Called under a <see cref="ManagedProcess"/>'s lock, so it only queues: a logger that blocks (standard output
    /// nobody reads) must hold up neither the supervision of the child nor a caller asking for its status.
    /// </remarks>
    public void Publish(ProcessStateChangedEventArgs change)
    {
        _events.Post(() => LogTransition(change));
        _events.Post(() => OnStateChanged(change));
    }

    /// <summary>Runs hooks about a child with the app's stopping token; one that ignores it is abandoned soon after the app began to stop.</summary>
    public Task RunHooksAsync(LifespanHooks hooks, ILogger logger, string? name) =>
        hooks.RunAsync(logger, name, timeout: null, AppStopping, StopDeadline.HardToken);

    /// <summary>Runs shutdown hooks: each one's token fires after <see cref="FirnAppOptions.ShutdownHookTimeout"/> or at the stop's deadline.</summary>
    public Task RunShutdownHooksAsync(LifespanHooks hooks, ILogger logger, string? name) =>
        hooks.RunAsync(logger, name, AppOptions.ShutdownHookTimeout, StopDeadline.Token, StopDeadline.HardToken);

    /// <summary>Completes once every state change published so far has been handled.</summary>
    public Task FlushEventsAsync() => _events.FlushAsync();

    private void LogTransition(ProcessStateChangedEventArgs change)
    {
        var status = change.Status;
        var exit = status.LastSignal is { } signal
            ? $"{status.LastExitReason}, signal {signal}"
            : $"{status.LastExitReason}, exit code {status.LastExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
        switch (change.State)
        {
            case ProcessState.Backoff:
                LogBackoff(Logger, change.Name, change.PreviousState, exit, change.RestartDelay ?? TimeSpan.Zero);
                break;
            case ProcessState.Failed:
                LogFailed(Logger, change.Name, change.PreviousState, exit);
                break;
            case ProcessState.Exited when status.LastExitReason is ProcessExitReason.Crashed or ProcessExitReason.Signaled or ProcessExitReason.StartTimeout or ProcessExitReason.StartFailed:
                LogExitedAbnormally(Logger, change.Name, change.PreviousState, exit);
                break;
            case ProcessState.Exited:
                LogExited(Logger, change.Name, change.PreviousState, exit);
                break;
            default:
                if (status.ProcessId is { } pid)
                {
                    LogAlive(Logger, change.Name, change.PreviousState, change.State, pid);
                }
                else
                {
                    LogStarting(Logger, change.Name, change.PreviousState, change.State);
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Process '{Name}': {Previous} -> {State} (pid {Pid})")]
    private static partial void LogAlive(ILogger logger, string name, ProcessState previous, ProcessState state, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process '{Name}': {Previous} -> {State}")]
    private static partial void LogStarting(ILogger logger, string name, ProcessState previous, ProcessState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process '{Name}': {Previous} -> Exited ({Exit})")]
    private static partial void LogExited(ILogger logger, string name, ProcessState previous, string exit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}': {Previous} -> Exited ({Exit}); not restarted")]
    private static partial void LogExitedAbnormally(ILogger logger, string name, ProcessState previous, string exit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}': {Previous} -> Backoff ({Exit}); restarting in {Delay}")]
    private static partial void LogBackoff(ILogger logger, string name, ProcessState previous, string exit, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Process '{Name}': {Previous} -> Failed ({Exit}); it is not restarted again until started by hand")]
    private static partial void LogFailed(ILogger logger, string name, ProcessState previous, string exit);
}
