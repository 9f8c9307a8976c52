using System.Globalization;
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

    private readonly IDisposable? _reload;
    private FirnConsoleFormatterOptions _options;

    public FirnConsoleFormatter(IOptionsMonitor<FirnConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(changed => _options = changed);
    }

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
            var tag = "[" + FirnLogFormat.LevelText(logEntry.LogLevel) + "] " + (options.IncludeCategory ? logEntry.Category + ": " : "");
            textWriter.Write(tag + text.ReplaceLineEndings(Environment.NewLine + tag) + Environment.NewLine);
            return;
        }

        var name = logEntry.State is ChildOutputLine output ? output.ProcessName : options.ProcessName;
        textWriter.Write(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{FirnLogFormat.LevelText(logEntry.LogLevel)}] {name}: {text}{Environment.NewLine}"));
    }

    public void Dispose() => _reload?.Dispose();
}
