using Firn.Hosting;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Support;

/// <summary>Builds a main-process <see cref="FirnApp"/> in the test process whose children run Firn.TestChild scenarios.</summary>
internal static class TestApps
{
    /// <summary>Generous: a loaded 2-core machine may take seconds to start a child.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string ChildPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestChild.dll");

    /// <summary>Creates an app with one child per (name, scenario arguments) pair; it is not started.</summary>
    public static FirnApp Create(TestLog log, FirnAppOptions? options, params (string Name, string[] Args)[] children)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            MainProcessName = options?.MainProcessName ?? "main",
            MaxMessageSize = options?.MaxMessageSize ?? 16 * 1024 * 1024,
            ChannelSendWindow = options?.ChannelSendWindow ?? 1024,
            ShutdownTimeout = options?.ShutdownTimeout ?? TimeSpan.FromSeconds(10),
            MaxCallsInFlight = options?.MaxCallsInFlight ?? 65_536,
            CallTimeout = options?.CallTimeout ?? TimeSpan.FromSeconds(30),
            ConnectionBufferLimit = options?.ConnectionBufferLimit ?? OutboundBuffer.DefaultHardLimit,
            HeartbeatTimeout = options?.HeartbeatTimeout ?? TimeSpan.FromSeconds(10),
            MaxChannelsPerProcess = options?.MaxChannelsPerProcess ?? 10_000,
            SocketPollWindow = options?.SocketPollWindow ?? FirnAppOptions.DefaultSocketPollWindow,
            StartTimeout = Timeout,
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        foreach (var (name, args) in children)
        {
            app.AddProcess(name, Child(args));
        }

        return app;
    }

    public static FirnApp Create(TestLog log, params (string Name, string[] Args)[] children) => Create(log, null, children);

    /// <summary>
    /// A test child. It is <see cref="RestartPolicy.Temporary"/>: tests that kill or crash a child see it stay exited;
    /// supervision tests that want restarts set their own options.
    /// </summary>
    public static ProcessOptions Child(params string[] args) => Child(false, args);

    /// <summary>A test child with extra environment variables (Firn.TestChild reads its own options from some).</summary>
    public static ProcessOptions Child(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var child = Child(false, args);
        return new ProcessOptions
        {
            Restart = child.Restart,
            Executable = child.Executable,
            Arguments = child.Arguments,
            Environment = child.Environment.Concat(environment).ToDictionary(),
        };
    }

    /// <summary>A test child that counts as running only once its scenario calls <c>SignalReady</c> (for example after registering its handlers).</summary>
    public static ProcessOptions ReadyChild(params string[] args) => Child(true, args);

    private static ProcessOptions Child(bool waitForReadySignal, string[] args) => new()
    {
        WaitForReadySignal = waitForReadySignal,
        Restart = RestartPolicy.Temporary,
        Executable = "dotnet",
        Arguments = [ChildPath, .. args],
        Environment = new Dictionary<string, string> { ["FIRN_LOG_LEVEL"] = Environment.GetEnvironmentVariable("FIRN_TEST_CHILD_LOG_LEVEL") ?? "Warning" },
    };

    /// <summary>Starts the app and returns it; on failure, stops whatever started.</summary>
    public static async Task<FirnApp> StartAsync(FirnApp app)
    {
        try
        {
            await app.Supervisor!.StartAsync().WaitAsync(Timeout);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the next report a child sends on "report-{name}".</summary>
    public static Task<string> NextReportAsync(this FirnApp app, string child) =>
        app.GetChannel<string>("report-" + child).ReceiveAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds (no fixed sleeps in assertions).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> (a process to run, a request to make) until it holds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>Collects the main process's log entries so tests can assert on them.</summary>
internal sealed class TestLog : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = [];

    public TestLog() => Factory = LoggerFactory.Create(builder => builder.AddProvider(this).SetMinimumLevel(LogLevel.Debug));

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public bool Contains(LogLevel level, string fragment) =>
        Entries.Any(e => e.Level == level && e.Message.Contains(fragment, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
