using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Firn.Diagnostics;

/// <summary>
/// The provider of Firn's default log output: the console provider (<see cref="FirnConsole"/>) behind a minimum level,
/// which the console provider leaves to a logger factory's filters and <see cref="FirnLoggerFactory"/> does not have.
/// </summary>
/// <remarks>
/// Disposing, the end of the process and an unhandled exception dispose the console provider, which writes the lines
/// still queued (for at most 1.5 s: its writer thread may be stuck on an unread standard output); lines logged after that
/// are written by their caller.
/// </remarks>
internal sealed class DefaultConsoleProvider : ILoggerProvider
{
    private readonly ConsoleLoggerProvider _console;
    private readonly LogLevel _minimumLevel;

    public DefaultConsoleProvider(string processName, LogLevel minimumLevel, bool plain)
    {
        _console = FirnConsole.CreateProvider(processName, plain);
        _minimumLevel = minimumLevel;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        // An unhandled exception ends the process without ProcessExit: the lines that led to it must still reach the output.
        AppDomain.CurrentDomain.UnhandledException += OnProcessExit;
    }

    public ILogger CreateLogger(string categoryName) => new LevelLogger(_console.CreateLogger(categoryName), _minimumLevel);

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnProcessExit;
        _console.Dispose();
    }

    private void OnProcessExit(object? sender, EventArgs e) => _console.Dispose();

    private sealed class LevelLogger(ILogger console, LogLevel minimumLevel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                console.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
