using System.Collections.Concurrent;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Python;

/// <summary>
/// Python children (clients/python/tests/xchild.py, declared with <see cref="FirnApp.AddPythonProcess"/>) next to C#
/// children under a real main process in this test process: the launcher and its errors, store atomics on one key,
/// pub/sub and RPC across the languages, crash and restart, heartbeats, and malformed frames.
/// </summary>
public sealed class CrossLanguageTests
{
    private static FirnApp CreateApp(TestLog log, TimeSpan? heartbeatTimeout = null) => new(new FirnAppOptions
    {
        LoggerFactory = log.Factory,
        StartTimeout = TestApps.Timeout,
        ShutdownTimeout = TimeSpan.FromSeconds(10),
        HeartbeatInterval = heartbeatTimeout is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(200),
        HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(10),
        HandleSignals = false,
        SocketDirectory = "/tmp",
    });

    /// <summary>xchild in <paramref name="mode"/>, run by Debian's interpreter with clients/python on its path.</summary>
    private static FirnApp AddPython(FirnApp app, string name, string mode, RestartPolicy restart = RestartPolicy.Temporary, IEnumerable<string>? pythonPath = null, IReadOnlyList<string>? arguments = null) =>
        PythonChild.AddTestModule(app, name, "xchild", restart, new Dictionary<string, string> { ["XCHILD_MODE"] = mode }, arguments, pythonPath);

    [PythonFact]
    public async Task AddPythonProcess_runs_the_module_under_the_interpreter_itself_with_its_arguments()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        AddPython(app, "py", "launch", arguments: ["--flag", "two words"]);
        await TestApps.StartAsync(app);

        Assert.Equal((long)app.Supervisor!.GetProcess("py").ProcessId!, app.SharedMemory.Get<long>("xchild.pid"));
        Assert.Equal("--flag two words", app.SharedMemory.Get<string>("xchild.argv"));
    }

    [Fact]
    public async Task A_missing_interpreter_fails_the_start_with_a_message_naming_it()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        app.AddPythonProcess("py", "xchild", new ProcessOptions { Executable = "/nonexistent/firn-python3", Restart = RestartPolicy.Temporary });

        var error = await Assert.ThrowsAsync<FirnConfigurationException>(() => app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout));

        Assert.StartsWith("Process 'py' could not be started: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/firn-python3", error.Message, StringComparison.Ordinal);
        Assert.Equal(ProcessExitReason.StartFailed, app.Supervisor!.GetProcess("py").LastExitReason);
    }

    [PythonTheory]
    [InlineData(false, "cannot import the firn package")]
    [InlineData(true, "the Python package 'msgpack' is missing")]
    public async Task A_missing_package_makes_the_child_exit_with_code_5_and_say_why_in_the_log(bool withFirn, string message)
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        IEnumerable<string> path = withFirn ? [Path.Combine(PythonChild.TestsDirectory, "no_msgpack"), PythonChild.ClientDirectory, PythonChild.TestsDirectory] : [PythonChild.TestsDirectory];
        AddPython(app, "py", "launch", pythonPath: path);

        await Assert.ThrowsAnyAsync<Exception>(() => app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout));

        Assert.Equal(5, app.Supervisor!.GetProcess("py").LastExitCode);
        await TestApps.UntilAsync(() => log.Entries.Any(e => e.Message.Contains(message, StringComparison.Ordinal)), $"the log says \"{message}\"");
    }

    [PythonFact]
    public async Task A_Python_child_and_a_CSharp_child_increment_one_key_atomically()
    {
        const int Count = 500;
        var log = new TestLog();
        await using var app = CreateApp(log);
        app.AddProcess("cs", TestApps.Child("increment", "x.counter", "2", (Count / 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        PythonChild.AddTestModule(app, "py", "xchild", environment: new Dictionary<string, string> { ["XCHILD_MODE"] = "counter", ["XCHILD_COUNT"] = Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await TestApps.StartAsync(app);

        Assert.Equal("done", await app.NextReportAsync("cs"));
        await TestApps.UntilAsync(() => app.SharedMemory.TryGet<bool>("x.py.done", out _), "the Python child has incremented");
        Assert.Equal(2L * Count, app.SharedMemory.Get<long>("x.counter"));
    }

    [PythonFact]
    public async Task Publications_cross_the_languages_both_ways()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        app.AddProcess("cs", TestApps.Child("echo-subscribe", "py.num", "cs-echoes"));
        AddPython(app, "py", "pubsub");
        await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("cs"));

        // Python → a C# child: the C# child's subscription sends the number back on a channel.
        var echoes = app.GetChannel<int>("cs-echoes");
        await app.GetChannel<object>("py-active").SendAsync("publish");
        Assert.Equal(7, await echoes.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));

        // The main process (C#) → Python with a pattern, and back.
        var seen = new ConcurrentQueue<string>();
        using var subscription = app.SharedMemory.Subscribe<string>("py.echo", seen.Enqueue);
        await app.SharedMemory.PublishAsync("cs.news", 3L);
        await TestApps.UntilAsync(() => seen.Contains("cs.news=3"), "the Python child republished the news");
    }

    [PythonFact]
    public async Task Rpc_works_both_ways_with_remote_errors()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        AddPython(app, "py", "rpc");
        await TestApps.StartAsync(app);
        await app.Rpc.RegisterAsync("cs.square", (long x) => x * x);
        await app.Rpc.RegisterAsync("cs.fail", new Func<string, string>(text => throw new ArgumentException(text)));

        Assert.Equal(42L, await app.Rpc.CallAsync<long>("py.double", 21L).WaitAsync(TestApps.Timeout));
        var remote = await Assert.ThrowsAsync<RpcRemoteException>(() => app.Rpc.CallAsync("py.fail", "gone").WaitAsync(TestApps.Timeout));
        Assert.Equal("KeyError", remote.RemoteTypeName);

        await app.GetChannel<object>("py-active").SendAsync("call");
        await TestApps.UntilAsync(() => app.SharedMemory.TryGet<string>("x.remote_message", out _), "the Python child called back");
        Assert.Equal(81L, app.SharedMemory.Get<long>("x.square"));
        Assert.Equal(typeof(ArgumentException).FullName, app.SharedMemory.Get<string>("x.remote_type"));
        Assert.Contains("nope", app.SharedMemory.Get<string>("x.remote_message"), StringComparison.Ordinal);
    }

    [PythonFact]
    public async Task A_Python_child_that_crashes_is_restarted()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        AddPython(app, "py", "crash", RestartPolicy.Transient);
        await TestApps.StartAsync(app);
        var firstPid = app.Supervisor!.GetProcess("py").ProcessId;

        await app.GetChannel<object>("py-active").SendAsync("crash");

        try
        {
            await TestApps.UntilAsync(() => app.SharedMemory.Get<long>("x.starts") == 2 && app.Supervisor.GetProcess("py") is { State: ProcessState.Running } s && s.ProcessId != firstPid, "a new instance runs");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{app.SharedMemory.Get<long>("x.starts")} starts, {app.Supervisor.GetProcess("py")}; log: {string.Join(" / ", log.Entries.Select(e => e.Message))}");
        }
        Assert.Equal(7, app.Supervisor.GetProcess("py").LastExitCode);
        Assert.Equal(ProcessExitReason.Crashed, app.Supervisor.GetProcess("py").LastExitReason);
    }

    [PythonFact]
    public async Task A_Python_child_that_stops_answering_heartbeats_is_killed()
    {
        var log = new TestLog();
        await using var app = CreateApp(log, heartbeatTimeout: TimeSpan.FromSeconds(2));
        AddPython(app, "py", "idle");
        await TestApps.StartAsync(app);
        var pid = app.Supervisor!.GetProcess("py").ProcessId!.Value;

        // A stopped process answers nothing, as a hung one would.
        Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGSTOP));

        await TestApps.UntilAsync(() => app.Supervisor.GetProcess("py").LastExitReason == ProcessExitReason.Unresponsive, "the silent child is killed");
    }

    [PythonFact]
    public async Task Malformed_frames_from_a_Python_child_close_only_its_connection()
    {
        var log = new TestLog();
        await using var app = CreateApp(log);
        app.AddProcess("cs", TestApps.Child("echo", "cs-in", "cs-out"));
        AddPython(app, "py", "malformed");
        await TestApps.StartAsync(app);
        var pid = app.Supervisor!.GetProcess("py").ProcessId;

        await app.GetChannel<object>("py-active").SendAsync("garbage");

        await TestApps.UntilAsync(() => app.Supervisor.GetProcess("py") is { State: not ProcessState.Running } || app.Supervisor.GetProcess("py").ProcessId != pid, "the Python child's connection is closed and it leaves");
        Assert.Contains(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("py", StringComparison.Ordinal));

        // The C# child still works.
        await app.GetChannel<string>("cs-in").SendAsync("still here");
        Assert.Equal("cs:still here", await app.GetChannel<string>("cs-out").ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        Assert.Equal(ProcessState.Running, app.Supervisor.GetProcess("cs").State);
    }
}
