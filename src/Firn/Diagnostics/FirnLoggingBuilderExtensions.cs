using Firn.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Firn;

/// <summary>Firn's console log output for a logger factory that an application builds itself.</summary>
public static class FirnLoggingBuilderExtensions
{
    /// <summary>
    /// Adds the console logger (Microsoft.Extensions.Logging.Console) with Firn's line format, as Firn's default log
    /// output writes it: <c>2026-11-23 10:00:03.120 [INFO] nonebot: message</c>, or <c>[INFO] message</c> when the
    /// environment variable <c>FIRN_LOG_FORMAT</c> is <c>plain</c> (the main process sets it for a child whose output it
    /// forwards into its own log, which adds time and name). Lines wait for standard output in a queue of at most 1024;
    /// when it is full, further lines are dropped rather than waited for, and a count of them is written to standard
    /// error. Levels are the builder's (<c>FIRN_LOG_LEVEL</c> applies only to the default output).
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="processName">The name shown on every line; a line a child wrote, forwarded by the main process, shows the child's.</param>
    /// <returns>The builder.</returns>
    /// <example><c>LoggerFactory.Create(logging => logging.AddFirnConsole("main"))</c></example>
    public static ILoggingBuilder AddFirnConsole(this ILoggingBuilder builder, string processName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(processName);
        var plain = FirnLogFormat.PlainRequested;
        return builder
            .AddConsole(FirnConsole.Configure)
            .AddConsoleFormatter<FirnConsoleFormatter, FirnConsoleFormatterOptions>(options =>
            {
                options.ProcessName = processName;
                options.Plain = plain;
            });
    }
}
