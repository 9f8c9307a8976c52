using Microsoft.Extensions.Logging;

namespace Firn.Diagnostics;

/// <summary>
/// What the plain log format shares with the code around it: the variable that selects it and its level tags. Apart from
/// <see cref="FirnConsoleFormatter"/>, so that using them loads nothing of the console logger.
/// </summary>
internal static class FirnLogFormat
{
    /// <summary>
    /// The environment variable that selects the <c>plain</c> format: <c>[LEVEL] message</c> on every line, without time
    /// or name. The main process sets it for a child whose output it forwards into its own log, which adds them.
    /// </summary>
    public const string FormatVariable = "FIRN_LOG_FORMAT";

    /// <summary>Whether <c>FIRN_LOG_FORMAT</c> asks for the plain format.</summary>
    public static bool PlainRequested => string.Equals(Environment.GetEnvironmentVariable(FormatVariable), "plain", StringComparison.Ordinal);

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

    /// <summary>The tag of a level in both formats.</summary>
    public static string LevelText(LogLevel level) => level switch
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
