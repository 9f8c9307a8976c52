using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>Builds apps whose test children have supervision settings, short enough for a fast suite.</summary>
internal static class SupervisedApps
{
    public static FirnApp Create(ILoggerFactory loggerFactory, params (string Name, ProcessOptions Options)[] children) =>
        Create(loggerFactory, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), children);

    /// <summary>An app with these heartbeat settings.</summary>
    public static FirnApp Create(ILoggerFactory loggerFactory, TimeSpan heartbeatInterval, TimeSpan heartbeatTimeout, params (string Name, ProcessOptions Options)[] children)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            HeartbeatInterval = heartbeatInterval,
            HeartbeatTimeout = heartbeatTimeout,
            LoggerFactory = loggerFactory,
            StartTimeout = TestApps.Timeout,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        foreach (var (name, options) in children)
        {
            app.AddProcess(name, options);
        }

        return app;
    }

    /// <summary>A Firn.TestChild child running <paramref name="args"/>, with back-off short enough for tests.</summary>
    public static ProcessOptions Child(
        string[] args,
        RestartPolicy restart = RestartPolicy.Transient,
        int maxRestarts = 5,
        TimeSpan? restartDelay = null,
        TimeSpan? maxRestartDelay = null,
        TimeSpan? backoffResetAfter = null,
        bool stopApplicationOnFailure = false,
        bool waitForReadySignal = false,
        TimeSpan? startTimeout = null,
        TimeSpan? shutdownTimeout = null,
        TimeSpan? killTimeout = null) => new()
        {
            Executable = "dotnet",
            Arguments = [TestApps.ChildPath, .. args],
            Environment = new Dictionary<string, string> { ["FIRN_LOG_LEVEL"] = "Warning" },
            Restart = restart,
            MaxRestarts = maxRestarts,
            RestartDelay = restartDelay ?? TimeSpan.FromMilliseconds(50),
            MaxRestartDelay = maxRestartDelay ?? TimeSpan.FromSeconds(1),
            BackoffResetAfter = backoffResetAfter ?? TimeSpan.FromSeconds(30),
            StopApplicationOnFailure = stopApplicationOnFailure,
            WaitForReadySignal = waitForReadySignal,
            StartTimeout = startTimeout,
            ShutdownTimeout = shutdownTimeout,
            KillTimeout = killTimeout ?? TimeSpan.FromSeconds(2),
        };

    /// <summary>Tells an "obey" child instance (by pid) to exit with <paramref name="code"/>.</summary>
    public static void Exit(this FirnApp app, string child, string pidReport, int code) =>
        app.GetChannel<object?>(child + "-active").Send($"exit:{Pid(pidReport)}:{code}");

    /// <summary>The pid in a "pid=123" report.</summary>
    public static string Pid(string pidReport) =>
        pidReport.StartsWith("pid=", StringComparison.Ordinal) ? pidReport[4..] : throw new InvalidOperationException($"Not a pid report: '{pidReport}'.");

    public static bool IsAlive(int pid)
    {
        try
        {
            // A zombie (exited, not yet reaped by whoever adopted it) is dead for our purposes.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}

/// <summary>Records every <see cref="FirnApp.ProcessStateChanged"/> event, in order.</summary>
internal sealed class StateRecorder
{
    private readonly List<ProcessStateChangedEventArgs> _changes = [];

    public StateRecorder(FirnApp app) => app.Supervisor!.ProcessStateChanged += (_, change) =>
    {
        lock (_changes)
        {
            _changes.Add(change);
        }
    };

    public IReadOnlyList<ProcessStateChangedEventArgs> For(string name)
    {
        lock (_changes)
        {
            return [.. _changes.Where(c => c.Name == name)];
        }
    }

    /// <summary>The transitions of one child as "Previous->State" strings.</summary>
    public IReadOnlyList<string> Path(string name) => [.. For(name).Select(c => $"{c.PreviousState}->{c.State}")];

    /// <summary>Waits for the <paramref name="occurrence"/>-th (1-based) transition of <paramref name="name"/> into <paramref name="state"/>.</summary>
    public async Task<ProcessStateChangedEventArgs> WaitForAsync(string name, ProcessState state, int occurrence = 1)
    {
        ProcessStateChangedEventArgs? found = null;
        await TestApps.UntilAsync(
            () => (found = For(name).Where(c => c.State == state).Skip(occurrence - 1).FirstOrDefault()) is not null,
            $"'{name}' entered {state} {occurrence} time(s); seen: {string.Join(", ", Path(name))}");
        return found!;
    }
}

/// <summary>Captures log entries with their category (the child's name, for forwarded output).</summary>
internal sealed class CategoryLog : ILoggerProvider
{
    private readonly List<(string Category, LogLevel Level, string Message)> _entries = [];

    public CategoryLog() => Factory = LoggerFactory.Create(builder => builder.AddProvider(this).SetMinimumLevel(LogLevel.Debug));

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries
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

    public Task UntilLoggedAsync(LogLevel level, string fragment) =>
        TestApps.UntilAsync(() => Contains(level, fragment), $"'{fragment}' is logged at {level}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CategoryLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
