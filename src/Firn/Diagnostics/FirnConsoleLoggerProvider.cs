using System.Globalization;
using Firn.Hosting;
using Microsoft.Extensions.Logging;

namespace Firn.Diagnostics;

/// <summary>
/// The default log output: one line per entry with local time, level and process name
/// (<c>2026-11-23 10:00:03.120 [INFO] nonebot: Passive receive: ...</c>). Lines a child wrote, forwarded to the main
/// process's log, show the child's name.
/// </summary>
/// <remarks>
/// A logging call only queues its line: one thread per provider writes them, so that no caller (a supervisor among
/// them) ever waits for standard output. At most 1024 lines wait; when standard output is not read and the queue is
/// full, further lines are dropped and counted, and a line <c>N log messages dropped</c> reports them once the queue
/// has room again. Disposing the provider, and the end of the process, wait up to 2 s for the queued lines.
/// </remarks>
public sealed class FirnConsoleLoggerProvider : ILoggerProvider
{
    /// <summary>
    /// The environment variable that selects the <c>plain</c> format: <c>[LEVEL] message</c> on every line, without time
    /// or name. The main process sets it for a child whose output it forwards into its own log, which adds them.
    /// </summary>
    internal const string FormatVariable = "FIRN_LOG_FORMAT";

    private readonly string _processName;
    private readonly LogLevel _minimumLevel;
    private readonly bool _plain;
    private readonly ConsoleLogQueue _queue;

    /// <summary>Creates the provider.</summary>
    /// <param name="processName">The name shown on every line.</param>
    /// <param name="minimumLevel">Entries below this level are dropped.</param>
    public FirnConsoleLoggerProvider(string processName, LogLevel minimumLevel)
        : this(processName, minimumLevel, plain: false, writer: null, ConsoleLogQueue.DefaultCapacity)
    {
    }

    /// <summary>Creates the provider with its format, where it writes (null: standard output) and its queue's capacity.</summary>
    internal FirnConsoleLoggerProvider(string processName, LogLevel minimumLevel, bool plain, TextWriter? writer, int capacity)
    {
        _processName = processName;
        _minimumLevel = minimumLevel;
        _plain = plain;
        _queue = new ConsoleLogQueue(writer, capacity, dropped => Format(LogLevel.Warning, _processName, string.Create(CultureInfo.InvariantCulture, $"{dropped} log messages dropped: standard output was not read fast enough")));
    }

    /// <summary>Creates a logger factory with this provider alone. The level comes from <c>FIRN_LOG_LEVEL</c> (default Information).</summary>
    /// <param name="processName">The name shown on every line.</param>
    /// <returns>The factory.</returns>
    public static ILoggerFactory CreateFactory(string processName)
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FIRN_LOG_LEVEL"), ignoreCase: true, out var parsed) ? parsed : LogLevel.Information;
        var plain = string.Equals(Environment.GetEnvironmentVariable(FormatVariable), "plain", StringComparison.Ordinal);
#pragma warning disable CA2000 // The factory owns the provider.
        return new FirnLoggerFactory(new FirnConsoleLoggerProvider(processName, level, plain, writer: null, ConsoleLogQueue.DefaultCapacity));
#pragma warning restore CA2000
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ConsoleLogger(this);

    /// <summary>Writes the queued lines (waiting at most 2 s); lines logged afterwards are written by their caller.</summary>
    public void Dispose() => _queue.Dispose();

    /// <summary>Reads the <c>[LEVEL] </c> tag that the plain format puts at the start of a line.</summary>
    internal static bool TryParseLevelTag(ReadOnlySpan<char> line, out LogLevel level, out int messageStart)
    {
        level = LogLevel.None;
        messageStart = 0;
        var close = line.Length > 2 && line[0] == '[' ? line[..Math.Min(line.Length, 8)].IndexOf("] ") : -1;
        if (close < 0)
        {
            return false;
        }

        for (var candidate = LogLevel.Trace; candidate < LogLevel.None; candidate++)
        {
            if (line[1..close].SequenceEqual(LevelText(candidate)))
            {
                level = candidate;
                messageStart = close + 2;
                return true;
            }
        }

        return false;
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

    private string Format(LogLevel level, string name, string text)
    {
        if (_plain)
        {
            // Every line of a multi-line entry carries the tag, so the main process logs each at this level.
            var tag = "[" + LevelText(level) + "] ";
            return tag + text.ReplaceLineEndings(Environment.NewLine + tag);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{LevelText(level)}] {name}: {text}");
    }

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

            var text = formatter(state, exception);
            if (exception is not null)
            {
                text += Environment.NewLine + exception;
            }

            var name = state is ChildOutputLine output ? output.ProcessName : provider._processName;
            provider._queue.Enqueue(provider.Format(logLevel, name, text));
        }
    }
}
