using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Tests.Redis;

/// <summary>
/// Channels on Redis between real main processes (Firn.TestMain's "redis-channel" hosts): two hosts share a work queue,
/// and a host SIGKILLed with unacknowledged messages has them taken over by another within the documented time.
/// </summary>
public sealed class RedisChannelHostsTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(1);

    private ConnectionMultiplexer? _inspector;

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    public void Dispose() => _inspector?.Dispose();

    [RedisFact]
    public async Task Two_real_hosts_share_a_work_queue_each_message_once_and_in_order()
    {
        const int count = 400;
        var prefix = "work-" + Guid.NewGuid().ToString("N")[..8];
        await using var alpha = ProgramProcess.Start(MainPath, ["redis-channel", redis.Configuration, prefix, "alpha", "work"]);
        await using var beta = ProgramProcess.Start(MainPath, ["redis-channel", redis.Configuration, prefix, "beta", "work"]);
        await alpha.WaitForLineAsync("ready");
        await beta.WaitForLineAsync("ready");
        await using var producer = await StartAsync(prefix, "producer", new TestLog());

        var jobs = producer.GetChannel<string>("jobs");
        for (var i = 0; i < count; i++)
        {
            await jobs.SendAsync($"job {i}");
        }

        await TestApps.UntilAsync(() => Got(alpha).Length + Got(beta).Length >= count, "every job arrived");
        var all = Got(alpha).Concat(Got(beta)).ToArray();
        Assert.Equal(count, all.Length);
        Assert.Equal(Enumerable.Range(0, count), all.Order());
        Assert.Equal(Got(alpha).Order(), Got(alpha));
        Assert.Equal(Got(beta).Order(), Got(beta));
    }

    [RedisFact]
    public async Task A_killed_hosts_unacknowledged_messages_reach_another_host_within_the_host_timeout_and_a_period()
    {
        const int held = 8;
        var prefix = "kill-" + Guid.NewGuid().ToString("N")[..8];
        await using var doomed = ProgramProcess.Start(MainPath, ["redis-channel", redis.Configuration, prefix, "doomed", "hang"]);
        await doomed.WaitForLineAsync("ready");
        var log = new TestLog();
        await using var survivor = await StartAsync(prefix, "survivor", log);
        var jobs = survivor.GetChannel<string>("jobs");
        for (var i = 0; i < held; i++)
        {
            jobs.Send($"job {i}");
        }

        // The doomed host holds every message, unacknowledged (its handler never returns).
        var doomedHost = $"doomed@{Environment.MachineName}:{doomed.Process.Id}";
        await TestApps.UntilAsync(
            async () => (await Database().StreamPendingAsync(prefix + ":chan:jobs", "firn")).Consumers.Any(c => c.Name == doomedHost && c.PendingMessageCount == held),
            "the doomed host holds the messages");
        var got = new ConcurrentQueue<int>();
        jobs.OnReceive(message => got.Enqueue(int.Parse(message[4..], CultureInfo.InvariantCulture)));

        doomed.Process.Kill();
        var sinceKill = Stopwatch.StartNew();
        await TestApps.UntilAsync(() => got.Count >= held, "the survivor got the messages");
        sinceKill.Stop();

        Assert.Equal(Enumerable.Range(0, held), got);

        // docs/redis.md: the host timeout (its liveness key expires) plus a third of it (the claim period), plus round
        // trips; 2 s more for a loaded machine.
        Assert.True(sinceKill.Elapsed < HostTimeout + (HostTimeout / 3) + TimeSpan.FromSeconds(2), $"took {sinceKill.Elapsed}");
        Assert.True(log.Contains(LogLevel.Information, $"Took over {held} unacknowledged messages of channel 'jobs' from dead host '{doomedHost}'"));
    }

    private static int[] Got(ProgramProcess host) =>
        [.. host.Lines.Where(l => l.StartsWith("got job ", StringComparison.Ordinal)).Select(l => int.Parse(l["got job ".Length..], CultureInfo.InvariantCulture))];

    private IDatabase Database()
    {
        var configuration = new ConfigurationOptions { AbortOnConnectFail = false };
        configuration.EndPoints.Add(new UnixDomainSocketEndPoint(redis.SocketPath));
        _inspector ??= ConnectionMultiplexer.Connect(configuration);
        return _inspector.GetDatabase();
    }

    private async Task<FirnApp> StartAsync(string prefix, string name, TestLog log)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = name,
            LoggerFactory = log.Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
        }.UseRedis(new FirnRedisOptions { Configuration = redis.Configuration, Prefix = prefix, HostTimeout = HostTimeout }));
        await app.StartAsync();
        return app;
    }
}
