using Microsoft.Extensions.Logging;

namespace Firn.Diagnostics;

/// <summary>
/// The provider of Firn's default log output: the console provider (<see cref="FirnConsole"/>) behind a minimum level,
/// which the console provider leaves to a logger factory's filters and <see cref="FirnLoggerFactory"/> does not have.
/// </summary>
/// <remarks>
/// The console provider is created when the first line at the level is logged: loading and starting it costs a
/// process about 8 ms of CPU at start-up, which a child that logs nothing (most do, at Warning) does not pay.
/// Disposing, the end of the process and an unhandled exception dispose the console provider, which writes the lines
/// still queued (for at most 1.5 s: its writer thread may be stuck on an unread standard output); lines logged after
/// that are written by their caller.
/// </remarks>
internal sealed class DefaultConsoleProvider : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly string _processName;
    private readonly LogLevel _minimumLevel;
    private readonly bool _plain;

    // Typed as the abstraction, so that nothing loads the console provider's assemblies before the first line.
    private ILoggerProvider? _console;
    private bool _disposed;

    public DefaultConsoleProvider(string processName, LogLevel minimumLevel, bool plain)
    {
        _processName = processName;
        _minimumLevel = minimumLevel;
        _plain = plain;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        // An unhandled exception ends the process without ProcessExit: the lines that led to it must still reach the output.
        AppDomain.CurrentDomain.UnhandledException += OnProcessExit;
    }

    public ILogger CreateLogger(string categoryName) => new LevelLogger(this, categoryName);

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnProcessExit;
        DisposeConsole();
    }

    private void OnProcessExit(object? sender, EventArgs e) => DisposeConsole();

    private void DisposeConsole()
    {
        ILoggerProvider? console;
        lock (_lock)
        {
            _disposed = true;
            console = _console;
        }

        console?.Dispose();
    }

    private ILoggerProvider Console()
    {
        if (Volatile.Read(ref _console) is { } console)
        {
            return console;
        }

        lock (_lock)
        {
            if (_console is null)
            {
                var created = FirnConsole.CreateProvider(_processName, _plain);

                // A line logged after dispose is written by its caller, as a disposed console provider does.
                if (_disposed)
                {
                    created.Dispose();
                }

                Volatile.Write(ref _console, created);
            }

            return _console;
        }
    }

    private sealed class LevelLogger(DefaultConsoleProvider provider, string categoryName) : ILogger
    {
        private ILogger? _console;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                // A race creates the same logger twice: the console provider keeps one per category.
                _console ??= provider.Console().CreateLogger(categoryName);
                _console.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
