using System.Diagnostics;
using System.Text.Json;
using Firn.Redis.Hosts;
using Firn.Tests.Admin;
using Firn.Tests.Cli;
using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>
/// The process registry across hosts: two main processes on one Redis (two apps of the test process with distinct
/// names, or a real main process killed with SIGKILL) each see the other's children and channel members, labelled with
/// the other's host name, in the supervisor, the admin socket and firnctl; a host that stops drops out at once, a
/// killed one when its liveness expires; controls of another host's child are refused with a message naming it.
/// </summary>
public sealed class ProcessRegistryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>Long: a host that leaves must drop out by its announcement, well before a refresh (every third of this).</summary>
    private static readonly TimeSpan LongHostTimeout = TimeSpan.FromSeconds(30);

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    [RedisFact]
    public async Task Each_host_sees_the_others_processes_and_channel_members_and_a_stopped_host_drops_out_at_once()
    {
        var prefix = "registry-" + Guid.NewGuid().ToString("N")[..8];
        var east = await StartAsync(prefix, "east", "solo");
        await using var west = await StartAsync(prefix, "west");
        var eastHost = RedisHostLiveness.HostNameOf("east");
        var westHost = RedisHostLiveness.HostNameOf("west");
        try
        {
            _ = east.GetChannel<int>("jobs");
            _ = west.GetChannel<int>("jobs");

            await TestApps.UntilAsync(() => Running(west, "worker", eastHost) && Running(west, "solo", eastHost) && Running(east, "worker", westHost), "each host sees the other's children running");
            Assert.All(west.Supervisor!.GetProcesses().Where(p => p.Name == "worker"), p => Assert.NotNull(p.Host));
            Assert.Equal(["worker@" + westHost, "worker@" + eastHost, "solo@" + eastHost], west.Supervisor!.GetProcesses().Select(p => $"{p.Name}@{p.Host}"));
            Assert.Equal(westHost, west.Supervisor.GetProcess("worker").Host);

            // Channel memberships are published with each refresh or change; both main processes are members of "jobs"
            // (on Redis a main process's open completes once the channel is declared there, so west's own may come last).
            // A membership change is published with the next refresh (every third of the host timeout).
            await TestApps.UntilAsync(() => Members(west, "jobs").Length == 2 && Members(east, "jobs").Length == 2, "both hosts see both members of 'jobs'");
            Assert.Equal(["east@" + eastHost, "west@" + westHost], Members(west, "jobs"));
            Assert.Equal(Members(west, "jobs"), Members(east, "jobs"));
            Assert.Equal(Members(west, "jobs"), (await west.GetChannelsAsync()).Single(c => c.Name == "jobs").Members.Select(m => $"{m.ProcessName}@{m.Host}"));

            // Another host's child is controlled by its own main process only: refused, naming the host.
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => west.Supervisor.StopProcessAsync("solo"));
            Assert.Contains(eastHost, refused.Message, StringComparison.Ordinal);
            Assert.Contains("firnctl", refused.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => west.Supervisor.GetProcess("solo"));
            Assert.Equal(ProcessState.Running, east.Supervisor!.GetProcess("solo").State);

            // A stop announces itself: the other host drops it long before a refresh or the liveness timeout.
            var stopped = Stopwatch.StartNew();
            await east.DisposeAsync();
            await TestApps.UntilAsync(() => west.Supervisor.GetProcesses().All(p => p.Host != eastHost) && !Members(west, "jobs").Contains("east@" + eastHost), "east is gone from west's view");
            Assert.True(stopped.Elapsed < LongHostTimeout / 3, $"east left west's view after {stopped.Elapsed}, not at once");
            Assert.Equal(["worker@" + westHost], west.Supervisor.GetProcesses().Select(p => $"{p.Name}@{p.Host}"));
        }
        finally
        {
            await east.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task A_killed_host_drops_out_of_the_view_when_its_liveness_expires()
    {
        var prefix = "killed-" + Guid.NewGuid().ToString("N")[..8];
        await using var observer = await StartAsync(prefix, "observer");

        // A real main process (Firn.TestMain's "redis-host", the default HostTimeout of 5 s) with its child "worker".
        await using var killed = ProgramProcess.Start(MainPath, ["redis-host", redis.Configuration, prefix, "killed", "1"]);
        var killedHost = $"killed@{Environment.MachineName}:{killed.Process.Id}";
        await TestApps.UntilAsync(() => Running(observer, "worker", killedHost), "the observer sees the killed host's worker");

        // Alive, it stays in view although its liveness (5 s) is shorter than the observer's refresh period (10 s).
        var timeout = new FirnRedisOptions { Configuration = "unused" }.HostTimeout;
        for (var watched = Stopwatch.StartNew(); watched.Elapsed < timeout * 1.5;)
        {
            Assert.True(Running(observer, "worker", killedHost), $"the live host left the view after {watched.Elapsed}");
            await Task.Delay(50);
        }

        var since = Stopwatch.StartNew();
        killed.Process.Kill();
        await TestApps.UntilAsync(() => observer.Supervisor!.GetProcesses().All(p => p.Host != killedHost), "the killed host is gone from the view");
        Assert.True(since.Elapsed < timeout + TimeSpan.FromSeconds(2), $"the killed host left the view after {since.Elapsed}; its liveness expires after {timeout}");
    }

    [RedisFact]
    public async Task The_admin_socket_and_firnctl_show_every_host()
    {
        var prefix = "admin-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Firn.Tests.Admin.AdminApp.NewDirectory();
        await using var east = await StartAsync(prefix, "east", "solo", adminDirectory: directory);
        await using var west = await StartAsync(prefix, "west", "westonly");
        var eastHost = RedisHostLiveness.HostNameOf("east");
        var westHost = RedisHostLiveness.HostNameOf("west");
        _ = west.GetChannel<int>("jobs");
        await TestApps.UntilAsync(() => Running(east, "worker", westHost) && Running(east, "westonly", westHost) && Members(east, "jobs").Contains("west@" + westHost), "east sees west's worker and channel member");

        await using var client = await AdminTestClient.ConnectAsync(east.AdminSocketPath!);
        var ps = (await client.OkAsync("ps")).GetProperty("processes").EnumerateArray().ToList();
        Assert.Equal(["worker@" + eastHost, "solo@" + eastHost, "worker@" + westHost, "westonly@" + westHost], ps.Select(p => $"{p.GetProperty("name").GetString()}@{p.GetProperty("host").GetString()}"));
        var remote = ps.Single(p => p.GetProperty("name").GetString() == "westonly");
        Assert.Equal("Running", remote.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Number, remote.GetProperty("pid").ValueKind);

        var channels = (await client.OkAsync("channels")).GetProperty("channels").EnumerateArray();
        var members = channels.Single(c => c.GetProperty("name").GetString() == "jobs").GetProperty("members").EnumerateArray();
        Assert.Contains(members, m => m.GetProperty("process").GetString() == "west" && m.GetProperty("host").GetString() == westHost);

        var described = await client.OkAsync("describe", new { name = "worker", host = westHost });
        Assert.Equal(westHost, described.GetProperty("host").GetString());
        Assert.Equal(eastHost, (await client.OkAsync("describe", new { name = "worker" })).GetProperty("host").GetString());

        // A control of west's child through east's socket is refused, naming west; no silent no-op.
        foreach (var (op, arguments) in new (string, object)[] { ("stop", new { name = "westonly" }), ("signal", new { name = "westonly", signal = "HUP" }), ("wait", new { name = "westonly", state = "Running" }) })
        {
            var refused = await client.RequestAsync(op, arguments);
            Assert.Equal("failed", refused.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains(westHost, refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("not-found", (await client.RequestAsync("stop", new { name = "nothing-here" })).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(ProcessState.Running, west.Supervisor!.GetProcess("westonly").State);

        var table = await FirnCtl.RunAsync(directory, "ps");
        Assert.Equal(0, table.ExitCode);
        var header = table.Output.Split('\n').First(l => l.Contains("NAME", StringComparison.Ordinal));
        Assert.Contains("HOST", header, StringComparison.Ordinal);
        Assert.Contains(table.Output.Split('\n'), l => l.Contains("worker", StringComparison.Ordinal) && l.Contains(westHost, StringComparison.Ordinal));
        var json = await FirnCtl.RunAsync(directory, "ps", "--json");
        using var document = JsonDocument.Parse(json.Output);
        Assert.Contains(document.RootElement.GetProperty("processes").EnumerateArray(), p => p.GetProperty("host").GetString() == westHost);
    }

    private static bool Running(FirnApp app, string name, string host) =>
        app.Supervisor!.GetProcesses().Any(p => p.Name == name && p.Host == host && p.State == ProcessState.Running);

    private static string[] Members(FirnApp app, string channel) =>
        [.. app.Supervisor!.GetChannels().SingleOrDefault(c => c.Name == channel)?.Members.Select(m => $"{m.ProcessName}@{m.Host}") ?? []];

    private async Task<FirnApp> StartAsync(string prefix, string name, string? extraChild = null, string? adminDirectory = null)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = name,
            LoggerFactory = new TestLog().Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
            EnableAdmin = adminDirectory is not null,
            AdminDirectory = adminDirectory,
            AppName = "registry" + name,
        }.UseRedis(new FirnRedisOptions { Configuration = redis.Configuration, Prefix = prefix, HostTimeout = LongHostTimeout }));
        app.AddProcess("worker", TestApps.Child("idle"));
        if (extraChild is not null)
        {
            app.AddProcess(extraChild, TestApps.Child("idle"));
        }

        return await TestApps.StartAsync(app);
    }
}
