using System.Collections.Concurrent;
using Firn.Tests.Support;

namespace Firn.Tests.Python;

/// <summary>
/// A Python child (clients/python/tests/e2e_child.py, run by /usr/bin/python3) under a real main process in this test
/// process: its channels both ways and in both receive modes, the store, pub/sub, RPC both ways with remote errors,
/// events, a restart it asks for, and a clean stop.
/// </summary>
public sealed class PythonChildTests
{
    [PythonFact]
    public async Task A_Python_child_uses_channels_the_store_pubsub_rpc_and_events_and_restarts_on_request()
    {
        var log = new TestLog();
        await using var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            StartTimeout = TestApps.Timeout,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        app.AddProcess("py", PythonChild.Script("e2e_child.py"));
        await TestApps.StartAsync(app);

        // What the child did before it signalled ready.
        var memory = app.SharedMemory;
        Assert.Equal(1L, memory.Get<long>("py.starts"));
        Assert.Equal("python", memory.Get<string>("py.name"));
        Assert.Equal("yes", memory.Get<string>("py.first"));
        Assert.True(memory.Get<bool>("py.mismatch"));
        Assert.Throws<StoreTypeMismatchException>(() => memory.Get<long>("py.name"));

        // RPC from C# to Python, with the handler's exception as a remote error.
        Assert.Equal(5L, await app.Rpc.CallAsync<long>("py.add", 2L, 3L).WaitAsync(TestApps.Timeout));
        var remote = await Assert.ThrowsAsync<RpcRemoteException>(() => app.Rpc.CallAsync("py.fail", "broken").WaitAsync(TestApps.Timeout));
        Assert.Equal("ValueError", remote.RemoteTypeName);
        Assert.Equal("broken", remote.RemoteMessage);
        Assert.Contains("e2e_child.py", remote.RemoteStackTrace, StringComparison.Ordinal);

        var output = app.GetChannel<string>("py-out");
        async Task<string> NextOutputAsync() => await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout);

        // The passive channel's handler takes strings only (its filter); the active channel answers everything.
        var passive = app.GetChannel<object>("py-passive");
        await passive.SendAsync(42L);
        await passive.SendAsync("hello");
        Assert.Equal("Passive receive: hello", await NextOutputAsync());
        var active = app.GetChannel<object>("py-active");
        await active.SendAsync(7L);
        Assert.Equal("Active receive: 7", await NextOutputAsync());

        // RPC from Python to C#.
        await app.Rpc.RegisterAsync("cs.mul", (long a, long b) => a * b);
        await app.Rpc.RegisterAsync("cs.fail", new Func<string, string>(text => throw new InvalidOperationException(text)));
        await active.SendAsync("call");
        Assert.Equal("Active receive: call", await NextOutputAsync());
        Assert.Equal(42L, memory.Get<long>("py.mul"));
        Assert.Equal(typeof(InvalidOperationException).FullName, memory.Get<string>("py.remote_error"));

        // Pub/sub with a pattern, and events, across the languages.
        var echoes = new ConcurrentQueue<string>();
        using var echo = memory.Subscribe<string>("py.echo", echoes.Enqueue);
        var events = new ConcurrentQueue<string>();
        using var started = app.Events.Subscribe("py.*", e => events.Enqueue(e.Name));
        await memory.PublishAsync("news.today", 3L);
        await TestApps.UntilAsync(() => echoes.Contains("news.today=3"), "the Python child republishes the news");
        await active.SendAsync("event");
        await TestApps.UntilAsync(() => events.Contains("py.started"), "the Python child's event arrives");

        // 10,000 numbered messages to a passive Python handler: none lost (the child counts them in the store).
        var numbers = app.GetChannel<long>("py-numbers");
        const int Count = 10_000;
        for (var i = 1L; i <= Count; i++)
        {
            await numbers.SendAsync(i);
        }

        await TestApps.UntilAsync(() => memory.Get<long>("py.numbers.count") == Count, "the Python child has counted every number");
        Assert.Equal((long)Count * (Count + 1) / 2, memory.Get<long>("py.numbers.sum"));

        // The child asks to be restarted: a new instance starts (and counts itself).
        var firstPid = app.Supervisor!.GetProcess("py").ProcessId;
        await active.SendAsync("restart");
        await TestApps.UntilAsync(() => memory.Get<long>("py.starts") == 2 && app.Supervisor.GetProcess("py") is { State: ProcessState.Running } status && status.ProcessId != firstPid, "the child runs again");

        await app.Supervisor.StopProcessAsync("py").WaitAsync(TestApps.Timeout);
        var stopped = app.Supervisor.GetProcess("py");
        Assert.Equal(ProcessExitReason.Stopped, stopped.LastExitReason);
        Assert.Equal(0, stopped.LastExitCode);
        Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [PythonFact]
    public async Task A_child_that_stops_on_a_SIGTERM_of_its_own_gets_its_shutdown_time_before_the_main_process_sends_one()
    {
        // As when systemd or docker stop signal the whole process group: the child's SIGTERM comes first, it closes its
        // connection and finishes; the main process's stop must not send a SIGTERM the moment the connection closes.
        var log = new TestLog();
        await using var app = TestApps.Create(log, new FirnAppOptions { ShutdownTimeout = TimeSpan.FromSeconds(30) });
        app.AddProcess("linger", PythonChild.Script("linger_after_close.py"));
        await TestApps.StartAsync(app);
        var pid = app.Supervisor!.GetProcess("linger").ProcessId!.Value;

        Assert.Equal(0, Firn.Transport.NativeMethods.kill(pid, Firn.Transport.NativeMethods.SIGTERM));
        await TestApps.UntilAsync(() => app.SharedMemory.TryGet<bool>("linger.closing", out _), "the child began to stop on its own");
        await app.Supervisor.StopProcessAsync("linger").WaitAsync(TestApps.Timeout);

        var stopped = app.Supervisor.GetProcess("linger");
        Assert.Equal(0, stopped.LastExitCode);
        Assert.Null(stopped.LastSignal);
    }
}
