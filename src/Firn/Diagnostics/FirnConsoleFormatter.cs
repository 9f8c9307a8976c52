using System.Globalization;
using Firn.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Firn.Diagnostics;

/// <summary>
/// Firn's console line, one per entry, for Microsoft.Extensions.Logging.Console's provider:
/// <c>2026-11-23 10:00:03.120 [INFO] nonebot: message</c> (local time, level, process name; a line a child wrote,
/// forwarded to the main process's log, shows the child's name), or in the <c>plain</c> format <c>[INFO] message</c>
/// on every line of the entry.
/// </summary>
internal sealed class FirnConsoleFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>The name <see cref="ConsoleLoggerOptions.FormatterName"/> selects this formatter by.</summary>
    public const string FormatterName = "firn";

    /// <summary>
    /// The environment variable that selects the <c>plain</c> format: <c>[LEVEL] message</c> on every line, without time
    /// or name. The main process sets it for a child whose output it forwards into its own log, which adds them.
    /// </summary>
    public const string FormatVariable = "FIRN_LOG_FORMAT";

    private readonly IDisposable? _reload;
    private FirnConsoleFormatterOptions _options;

    public FirnConsoleFormatter(IOptionsMonitor<FirnConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(changed => _options = changed);
    }

    /// <summary>Whether <c>FIRN_LOG_FORMAT</c> asks for the plain format.</summary>
    public static bool PlainRequested => string.Equals(Environment.GetEnvironmentVariable(FormatVariable), "plain", StringComparison.Ordinal);

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var text = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is not null)
        {
            text += Environment.NewLine + logEntry.Exception;
        }

        var options = _options;
        if (options.Plain)
        {
            // Every line of a multi-line entry carries the tag, so the main process logs each at this level.
            var tag = "[" + LevelText(logEntry.LogLevel) + "] ";
            textWriter.Write(tag + text.ReplaceLineEndings(Environment.NewLine + tag) + Environment.NewLine);
            return;
        }

        var name = logEntry.State is ChildOutputLine output ? output.ProcessName : options.ProcessName;
        textWriter.Write(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{LevelText(logEntry.LogLevel)}] {name}: {text}{Environment.NewLine}"));
    }

    public void Dispose() => _reload?.Dispose();

    /// <summary>Reads the <c>[LEVEL] </c> tag that the plain format puts at the start of a line.</summary>
    public static bool TryParseLevelTag(ReadOnlySpan<char> line, out LogLevel level, out int messageStart)
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
}
