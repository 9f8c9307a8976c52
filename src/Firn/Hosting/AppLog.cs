using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>The app's own log messages.</summary>
internal static partial class AppLog
{
    [LoggerMessage(Level = LogLevel.Critical, Message = "This program was started as child '{Name}' but declares no process of that name with an entry (declared: {Declared})")]
    public static partial void ChildNotDeclared(ILogger logger, string name, string declared);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    public static partial void ChildCannotConnect(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The entry of process '{Name}' did not return within {Grace} of the stop request; exiting anyway")]
    public static partial void EntryIgnoredStop(ILogger logger, string name, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Error, Message = "The entry of process '{Name}' failed")]
    public static partial void EntryFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling {Request} from process '{Name}' failed")]
    public static partial void ControlRequestFailed(ILogger logger, Exception? exception, ControlRequest request, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The children were not all reaped {Grace} after the stop's deadline (FirnAppOptions.StopTimeout); the stop went on without waiting for them (they were killed)")]
    public static partial void ChildrenAbandonedAtStop(ILogger logger, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An after-start hook was still running {Grace} after the children had stopped (its token fired when the stop began); the stop went on without it")]
    public static partial void AfterStartHooksAbandoned(ILogger logger, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stop gave up waiting for a start or restart in progress at its deadline (FirnAppOptions.StopTimeout + 2 s); the children were killed at the deadline")]
    public static partial void StopGaveUpOnLifecycle(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping the children failed")]
    public static partial void StopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A callback registered on Stopping was still running {Grace} after the stop began; the stop went on without waiting for it")]
    public static partial void StoppingCallbacksAbandoned(ILogger logger, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarting every child")]
    public static partial void Restarting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The app could not start; stopping what did")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Process '{Name}' failed and has StopApplicationOnFailure set: stopping the app")]
    public static partial void StoppingAfterFailure(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "A ProcessStateChanged handler failed (for '{Name}')")]
    public static partial void StateHandlerFailed(ILogger logger, Exception exception, string name);
}
