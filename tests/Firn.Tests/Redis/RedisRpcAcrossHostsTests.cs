using System.Diagnostics;
using Firn.Redis.Connection;
using Firn.Redis.Rpc;
using Firn.TestChild.Contracts;
using Firn.Tests.Contracts;
using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>
/// RPC across hosts: two main processes of the test process ("east" and "west", the second with a real child running
/// the contract scenario) call each other's methods both ways on one Redis, with results, streams, remote errors,
/// timeouts and cancellation; a name a live host owns is refused elsewhere; and a real main process (Firn.TestMain's
/// "redis-rpc-host") SIGKILLed: calls in flight to it and new calls to its methods fail within the documented bound.
/// </summary>
public sealed class RedisRpcAcrossHostsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string NoTimeout = "";
    private const string NoToken = "";

    /// <summary>The tests' host timeout: a dead host is found within about 1.25 times this (docs/redis.md, "RPC").</summary>
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(1);

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    [RedisFact]
    public async Task Hosts_call_each_other_s_main_processes_and_children_with_results_streams_and_remote_errors()
    {
        await using var hosts = await Hosts.StartAsync(redis, Prefix());
        var (east, west, child) = (hosts.East, hosts.West, hosts.Child);
        await child.RunAsync("rpc.register", "child.add", "add");
        await child.RunAsync("rpc.register", "child.caller", "caller");
        await child.RunAsync("rpc.register", "child.throw", "throw");
        await child.RunAsync("rpc.register", "child.count", "count");
        await east.RunAsync("rpc.register", "east.add", "add");
        await east.RunAsync("rpc.register", "east.throw", "throw");
        await west.RunAsync("rpc.register", "west.caller", "caller");

        Assert.Equal("5", await east.RunAsync("rpc.call", "child.add", "int", NoTimeout, NoToken, "i:2", "i:3"));
        Assert.Equal("7", await child.RunAsync("rpc.call", "east.add", "int", NoTimeout, NoToken, "i:3", "i:4"));
        Assert.Equal("9", await west.RunAsync("rpc.call", "east.add", "int", NoTimeout, NoToken, "i:4", "i:5"));
        Assert.Equal("east/child.caller", await east.RunAsync("rpc.call", "child.caller", "string", NoTimeout, NoToken));
        Assert.Equal("east/west.caller", await east.RunAsync("rpc.call", "west.caller", "string", NoTimeout, NoToken));

        // Calls within a host stay within it: the child's method, called by its own main process, never goes to Redis.
        var sentBefore = hosts.WestEngine.Outbound.Sent;
        Assert.Equal("west/child.caller", await west.RunAsync("rpc.call", "child.caller", "string", NoTimeout, NoToken));
        Assert.Equal("child/west.caller", await child.RunAsync("rpc.call", "west.caller", "string", NoTimeout, NoToken));
        Assert.Equal(sentBefore, hosts.WestEngine.Outbound.Sent);

        var fromChild = await Assert.ThrowsAsync<RpcRemoteException>(() => east.RunAsync("rpc.call", "child.throw", "int", NoTimeout, NoToken, "s:broken over there"));
        Assert.Equal("System.InvalidOperationException", fromChild.RemoteTypeName);
        Assert.Equal("broken over there", fromChild.RemoteMessage);
        Assert.Contains("ThrowInvalid", fromChild.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal("child", fromChild.ProcessName);
        var fromEast = await Assert.ThrowsAsync<RpcRemoteException>(() => child.RunAsync("rpc.call", "east.throw", "int", NoTimeout, NoToken, "s:broken here"));
        Assert.Equal("broken here", fromEast.RemoteMessage);
        Assert.Equal("east", fromEast.ProcessName);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{i}"), await east.LinesAsync("rpc.stream", "child.count", "int", "all", null, "i:1000"));
        Assert.Equal(11, (await east.LinesAsync("rpc.stream", "child.count", "int", "early", 11, "i:1000000")).Length);
        Assert.StartsWith("count-cancelled:", (await child.LinesAsync("collector.wait", "child.count", 1))[0], StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => child.RunAsync("rpc.call", "nobody.add", "int", NoTimeout, NoToken));
        Assert.Contains("No process has registered method 'nobody.add'", unknown.Message, StringComparison.Ordinal);
        await TestApps.UntilAsync(() => hosts.EastApp.RpcTable.Count == 0 && hosts.WestApp.RpcTable.Count == 0, "both tables forgot the calls");
    }

    [RedisFact]
    public async Task A_timeout_or_a_cancellation_across_hosts_cancels_the_handler_on_the_other_host()
    {
        await using var hosts = await Hosts.StartAsync(redis, Prefix());
        var (east, child) = (hosts.East, hosts.Child);
        await child.RunAsync("rpc.register", "child.slow", "slow");
        await east.RunAsync("rpc.register", "east.slow", "slow");

        var timeout = TimeSpan.FromMilliseconds(500);
        var watch = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => east.RunAsync("rpc.call-void", "child.slow", timeout, NoToken));
        Assert.True(watch.Elapsed >= timeout - TimeSpan.FromMilliseconds(20), $"it timed out after {watch.Elapsed}");
        Assert.Contains("'child.slow' was not answered within", timedOut.Message, StringComparison.Ordinal);
        Assert.Equal(["started", "cancelled"], await child.LinesAsync("collector.wait", "child.slow", 2));

        var call = child.RunAsync("rpc.call-void", "east.slow", Timeout.InfiniteTimeSpan, "token");
        await east.RunAsync("collector.wait", "east.slow", 1);
        await child.RunAsync("op.cancel", "token");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(["started", "cancelled"], await east.LinesAsync("collector.wait", "east.slow", 2));
        await TestApps.UntilAsync(() => hosts.EastApp.RpcTable.Count == 0 && hosts.WestApp.RpcTable.Count == 0, "both tables forgot the calls");
    }

    [RedisFact]
    public async Task A_name_a_live_host_owns_is_refused_on_another_host_until_it_is_given_back()
    {
        await using var hosts = await Hosts.StartAsync(redis, Prefix());
        var (east, west, child) = (hosts.East, hosts.West, hosts.Child);
        await east.RunAsync("rpc.register", "shared.name", "const:1");

        var fromChild = await Assert.ThrowsAsync<RpcException>(() => child.RunAsync("rpc.register", "shared.name", "const:2"));
        var fromMain = await Assert.ThrowsAsync<RpcException>(() => west.RunAsync("rpc.register", "shared.name", "const:3"));
        Assert.Contains("'shared.name' is already registered by a process of host 'east@", fromChild.Message, StringComparison.Ordinal);
        Assert.Contains("'shared.name' is already registered by a process of host 'east@", fromMain.Message, StringComparison.Ordinal);
        Assert.Equal("1", await child.RunAsync("rpc.call", "shared.name", "int", NoTimeout, NoToken));

        // Given back: unknown everywhere, then free for the other host.
        Assert.Equal("true", await east.RunAsync("op.dispose", "shared.name"));
        await TestApps.UntilAsync(
            async () => (await Record.ExceptionAsync(() => west.RunAsync("rpc.call", "shared.name", "int", NoTimeout, NoToken))) is RpcMethodNotFoundException,
            "the name was given back on Redis");
        await child.RunAsync("rpc.register", "shared.name", "const:2");
        Assert.Equal("2", await east.RunAsync("rpc.call", "shared.name", "int", NoTimeout, NoToken));

        // A host that stops gives its names back.
        await west.RunAsync("rpc.register", "west.only", "const:4");
        await hosts.StopWestAsync();
        await east.RunAsync("rpc.register", "west.only", "const:5");
        Assert.Equal("5", await east.RunAsync("rpc.call", "west.only", "int", NoTimeout, NoToken));
    }

    [RedisFact]
    public async Task Calls_to_a_SIGKILLed_host_fail_within_the_documented_bound_and_its_names_are_taken_over()
    {
        var prefix = Prefix();
        await using var far = ProgramProcess.Start(MainPath, ["redis-rpc-host", redis.Configuration, prefix, "far", $"{(int)HostTimeout.TotalMilliseconds}"]);
        await using var near = await TestApps.StartAsync(new FirnApp(Options("near", new TestLog(), prefix)));
        await far.WaitForLineAsync("ready");
        Assert.Equal(5, await near.Rpc.CallAsync<int>("far.add", 2, 3));
        Assert.Equal(7, await near.Rpc.CallAsync<int>("far.worker.add", 3, 4));
        var waiting = near.Rpc.CallAsync("far.wait", [], Timeout.InfiniteTimeSpan);
        var inFlight = TestApps.UntilAsync(() => near.RpcTable.Count == 1, "the call is in flight");
        await inFlight;

        far.Process.Kill();
        var watch = Stopwatch.StartNew();

        // Bound: the liveness key expires at most HostTimeout after the host's last renewal, and the watchdog looks
        // every quarter of it; the slack is for a loaded machine.
        var bound = HostTimeout * 1.25 + TimeSpan.FromSeconds(2);
        var exited = await Assert.ThrowsAsync<RpcProcessExitedException>(() => waiting.WaitAsync(bound * 2));
        Assert.True(watch.Elapsed < bound, $"the call in flight failed after {watch.Elapsed}");
        Assert.Contains("Host 'far@", exited.Message, StringComparison.Ordinal);
        Assert.Contains("before it answered the call to 'far.wait'", exited.Message, StringComparison.Ordinal);

        // Now the host is known dead: a new call fails at once, not after the call's timeout.
        watch.Restart();
        var dead = await Assert.ThrowsAsync<RpcProcessExitedException>(() => near.Rpc.CallAsync<int>("far.worker.add", 1, 1));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the call to a dead host failed after {watch.Elapsed}");
        Assert.Contains("belongs to host 'far@", dead.Message, StringComparison.Ordinal);
        Assert.Contains("which is not alive", dead.Message, StringComparison.Ordinal);

        // A dead host's names are free.
        await near.Rpc.RegisterAsync("far.add", (int a, int b) => a * b);
        Assert.Equal(6, await near.Rpc.CallAsync<int>("far.add", 2, 3));
    }

    [RedisFact]
    public async Task Registering_or_calling_across_hosts_while_Redis_is_down_fails_naming_Redis()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        try
        {
            var prefix = Prefix();
            await using var east = await TestApps.StartAsync(new FirnApp(Options("east", new TestLog(), prefix, server)));
            await server.KillAsync();

            var registering = await Assert.ThrowsAsync<RpcException>(() => east.Rpc.RegisterAsync("while.down", (int a) => a));
            Assert.Contains("Redis", registering.Message, StringComparison.Ordinal);
            var calling = await Assert.ThrowsAsync<RpcException>(() => east.Rpc.CallAsync<int>("elsewhere.add", 1, 2));
            Assert.Contains("Redis", calling.Message, StringComparison.Ordinal);

            await server.StartAsync();
            await TestApps.UntilAsync(
                async () => (await Record.ExceptionAsync(() => east.Rpc.RegisterAsync("while.down", (int a) => a))) is null,
                "registering works again once Redis is back");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static string Prefix() => "rpc-hosts-" + Guid.NewGuid().ToString("N")[..8];

    private FirnAppOptions Options(string name, TestLog log, string prefix, RedisServer? server = null)
    {
        return new FirnAppOptions
        {
            MainProcessName = name,
            LoggerFactory = log.Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        }.UseRedis((server ?? redis).Options(prefix, HostTimeout));
    }

    /// <summary>East (a main process alone) and west (a main process with a real child), one prefix, each operable as a contract side.</summary>
    private sealed class Hosts : IAsyncDisposable
    {
        private FirnApp? _west;

        private Hosts(FirnApp east, FirnApp west)
        {
            EastApp = east;
            _west = west;
            East = new LocalSide(new ContractOperations(east));
            West = new LocalSide(new ContractOperations(west));
            Child = new RemoteSide(west, "child");
        }

        public FirnApp EastApp { get; }

        public FirnApp WestApp => _west ?? throw new InvalidOperationException("West has stopped.");

        public ContractSide East { get; }

        public ContractSide West { get; }

        public ContractSide Child { get; }

        public RedisRpcEngine WestEngine => ((RedisConnection)WestApp.BackendConnection!).RpcEngine;

        public static async Task<Hosts> StartAsync(RedisServer redis, string prefix)
        {
            var tests = new RedisRpcAcrossHostsTests(redis);
            var east = await TestApps.StartAsync(new FirnApp(tests.Options("east", new TestLog(), prefix)));
            var created = new FirnApp(tests.Options("west", new TestLog(), prefix));
            created.AddProcess("child", TestApps.Child(ContractScenarios.Name));
            var west = await TestApps.StartAsync(created);
            var hosts = new Hosts(east, west);
            var ready = await west.NextReportAsync("child");
            return ready == "ready" ? hosts : throw new InvalidOperationException($"The contract child reported '{ready}'.");
        }

        public async Task StopWestAsync()
        {
            if (_west is { } west)
            {
                _west = null;
                await west.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopWestAsync();
            await EastApp.DisposeAsync();
        }
    }
}
