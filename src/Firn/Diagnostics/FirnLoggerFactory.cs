using Microsoft.Extensions.Logging;

namespace Firn.Diagnostics;

/// <summary>
/// The logger factory of Firn's default log output: its providers' loggers, nothing else. It needs only the logging
/// abstractions, so a process that keeps the default output does not load (and pay at start-up for) a full logging stack.
/// A provider added later serves the loggers created after it.
/// </summary>
internal sealed class FirnLoggerFactory : ILoggerFactory
{
    private readonly Lock _lock = new();
    private ILoggerProvider[] _providers;

    public FirnLoggerFactory(ILoggerProvider provider) => _providers = [provider];

    public void AddProvider(ILoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_lock)
        {
            _providers = [.. _providers, provider];
        }
    }

    public ILogger CreateLogger(string categoryName)
    {
        var providers = Volatile.Read(ref _providers);
        return providers.Length == 1 ? providers[0].CreateLogger(categoryName) : new FanOutLogger([.. providers.Select(p => p.CreateLogger(categoryName))]);
    }

    public void Dispose()
    {
        foreach (var provider in Volatile.Read(ref _providers))
        {
            provider.Dispose();
        }
    }

    private sealed class FanOutLogger(ILogger[] loggers) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => loggers.Any(l => l.IsEnabled(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            foreach (var logger in loggers)
            {
                logger.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
