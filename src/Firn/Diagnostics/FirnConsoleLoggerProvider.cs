using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Firn.Diagnostics;

/// <summary>
/// The default log output: one line per entry with local time, level and process name
/// (<c>2026-11-23 10:00:03.120 [INFO] nonebot: Passive receive: ...</c>), written synchronously so that
/// nothing is lost when a process exits.
/// </summary>
public sealed class FirnConsoleLoggerProvider : ILoggerProvider
{
    private static readonly Lock WriteLock = new();
    private readonly string _processName;
    private readonly LogLevel _minimumLevel;

    /// <summary>Creates the provider.</summary>
    /// <param name="processName">The name shown on every line.</param>
    /// <param name="minimumLevel">Entries below this level are dropped.</param>
    public FirnConsoleLoggerProvider(string processName, LogLevel minimumLevel)
    {
        _processName = processName;
        _minimumLevel = minimumLevel;
    }

    /// <summary>Creates a logger factory with this provider alone. The level comes from <c>FIRN_LOG_LEVEL</c> (default Information).</summary>
    /// <param name="processName">The name shown on every line.</param>
    /// <returns>The factory.</returns>
    public static ILoggerFactory CreateFactory(string processName)
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FIRN_LOG_LEVEL"), ignoreCase: true, out var parsed) ? parsed : LogLevel.Information;
#pragma warning disable CA2000 // The factory owns the provider.
        return new LoggerFactory([new FirnConsoleLoggerProvider(processName, level)]);
#pragma warning restore CA2000
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ConsoleLogger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string LevelText(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT",
        _ => level.ToString(),
    };

    private sealed class ConsoleLogger(FirnConsoleLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = string.Create(
                CultureInfo.InvariantCulture,
                $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{LevelText(logLevel)}] {provider._processName}: {formatter(state, exception)}");
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            lock (WriteLock)
            {
                Console.Out.WriteLine(line);
                Console.Out.Flush();
            }
        }
    }
}
