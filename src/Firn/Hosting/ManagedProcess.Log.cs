using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <content>Log messages.</content>
internal sealed partial class ManagedProcess
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Process '{Name}' did not become ready within {Timeout} ({What}); it was killed")]
    private partial void LogStartTimeout(string name, TimeSpan timeout, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process '{Name}' asked: {Request}")]
    private partial void LogControlRequest(string name, ControlRequest request);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}' did not exit within {Timeout}; sending {Signal}")]
    private partial void LogEscalating(string name, string signal, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Name}' was still running at the app's stop deadline (FirnAppOptions.StopTimeout {Timeout}); it was killed")]
    private partial void LogKilledAtDeadline(string name, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "setpriv was not found: external command '{Name}' will outlive the main process if the main process is killed")]
    private partial void LogCommandNotTied(string name);
}
