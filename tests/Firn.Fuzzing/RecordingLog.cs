using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Firn.Fuzzing;

/// <summary>One log line of the main process under test.</summary>
internal readonly record struct LogEntry(LogLevel Level, string Category, string Message, Exception? Exception)
{
    /// <inheritdoc />
    public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? string.Empty : Environment.NewLine + Exception)}";
}

/// <summary>
/// Keeps the main process's log lines so tests can assert on them, bounded so a long fuzz run does not grow:
/// the most recent lines, plus every line that reports a frame handler failing (an exception the dispatcher did
/// not expect, which the fuzzers count as a finding).
/// </summary>
internal sealed class RecordingLog : ILoggerProvider
{
    /// <summary>How <c>Connection</c> reports an exception other than a protocol violation thrown by a frame handler.</summary>
    public const string HandlerFailedMessage = "A frame handler failed";

    private const int MaxEntries = 20_000;
    private const int MaxFailures = 1_000;

    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ConcurrentQueue<LogEntry> _failures = new();

    public RecordingLog(LogLevel minimumLevel = LogLevel.Debug)
    {
        MinimumLevel = minimumLevel;
        Factory = LoggerFactory.Create(builder => builder.AddProvider(this).SetMinimumLevel(minimumLevel));
    }

    public LogLevel MinimumLevel { get; }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Frame handlers that threw something other than a protocol violation.</summary>
    public IReadOnlyList<LogEntry> HandlerFailures => [.. _failures];

    public bool Contains(LogLevel level, string fragment) =>
        _entries.Any(e => e.Level == level && e.Message.Contains(fragment, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > MaxEntries && _entries.TryDequeue(out _))
        {
        }

        if (entry.Message.StartsWith(HandlerFailedMessage, StringComparison.Ordinal) && _failures.Count < MaxFailures)
        {
            _failures.Enqueue(entry);
        }
    }

    private sealed class Logger(RecordingLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(new LogEntry(logLevel, category, formatter(state, exception), exception));
            }
        }
    }
}
