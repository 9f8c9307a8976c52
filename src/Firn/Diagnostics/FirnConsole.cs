using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Firn.Diagnostics;

/// <summary>
/// Firn's default log output: Microsoft.Extensions.Logging.Console's provider with <see cref="FirnConsoleFormatter"/>.
/// </summary>
/// <remarks>
/// The provider's one writer thread takes lines from a queue of at most <see cref="MaxQueueLength"/>, so no caller
/// (a supervisor among them) ever waits for standard output: when it is not read and the queue is full, further lines
/// are dropped (<see cref="ConsoleLoggerQueueFullMode.DropWrite"/>), and the provider writes
/// <c>N message(s) dropped because of queue size limit. ...</c> to standard error before the next line it queues.
/// </remarks>
internal static class FirnConsole
{
    /// <summary>How many lines may wait for the console; a line beyond them is dropped.</summary>
    public const int MaxQueueLength = 1024;

    /// <summary>The settings of the console provider that writes Firn's format.</summary>
    public static void Configure(ConsoleLoggerOptions options)
    {
        options.FormatterName = FirnConsoleFormatter.FormatterName;
        options.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
        options.MaxQueueLength = MaxQueueLength;
    }

    /// <summary>Creates the console provider without options or dependency-injection machinery.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ConsoleLoggerProvider CreateProvider(string processName, bool plain)
    {
        var options = new ConsoleLoggerOptions();
        Configure(options);
#pragma warning disable CA2000 // The formatter holds nothing to dispose when its options never change.
        var formatter = new FirnConsoleFormatter(new FixedOptionsMonitor<FirnConsoleFormatterOptions>(new() { ProcessName = processName, Plain = plain }));
#pragma warning restore CA2000
        return new ConsoleLoggerProvider(new FixedOptionsMonitor<ConsoleLoggerOptions>(options), [formatter]);
    }

    /// <summary>The level of the default logger factory: <c>FIRN_LOG_LEVEL</c>, else Information.</summary>
    public static LogLevel DefaultLevel =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FIRN_LOG_LEVEL"), ignoreCase: true, out var parsed) ? parsed : LogLevel.Information;

    /// <summary>
    /// Creates the default logger factory: Firn's console output alone, at the level of <c>FIRN_LOG_LEVEL</c>
    /// (default Information), in the plain format when <c>FIRN_LOG_FORMAT=plain</c>.
    /// </summary>
    public static ILoggerFactory CreateFactory(string processName)
    {
        var level = DefaultLevel;
#pragma warning disable CA2000 // The factory owns the provider.
        return new FirnLoggerFactory(new DefaultConsoleProvider(processName, level, FirnLogFormat.PlainRequested));
#pragma warning restore CA2000
    }
}
