using Firn.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>
/// Feeds the app's log into the <see cref="AdminLogRing"/>: a line a child wrote (forwarded by the main process with
/// a <see cref="ChildOutputLine"/> state) under that child's name, everything else under the main process's name. It
/// is one more provider of the app's logger factory, so each line reaches it exactly once.
/// </summary>
internal sealed class AdminLogProvider(AdminLogRing ring, string mainProcessName, LogLevel minimum) : ILoggerProvider
{
    private readonly AdminLogRing _ring = ring;
    private readonly string _mainProcessName = mainProcessName;
    private readonly LogLevel _minimum = minimum;
    private volatile bool _disposed;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _disposed = true;

    private sealed class Logger(AdminLogProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum && logLevel != LogLevel.None && !owner._disposed;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var now = DateTime.UtcNow;
            if (state is ChildOutputLine line)
            {
                owner._ring.Add(now, line.ProcessName, logLevel, null, line.Line);
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = message.Length == 0 ? exception.ToString() : message + Environment.NewLine + exception;
            }

            owner._ring.Add(now, owner._mainProcessName, logLevel, category, message);
        }
    }
}
