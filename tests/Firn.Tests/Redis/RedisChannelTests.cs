using System.Collections.Concurrent;
using System.Net.Sockets;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Tests.Redis;

/// <summary>
/// Channels on Redis Streams between main processes of the test process (distinct MainProcessName values, so distinct
/// hosts): a shared work queue, the per-sender window, and Redis restarted mid-run.
/// </summary>
public sealed class RedisChannelTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private ConnectionMultiplexer? _inspector;

    public void Dispose() => _inspector?.Dispose();

    [RedisFact]
    public async Task Two_hosts_share_a_work_queue_each_message_once_in_order_per_sender()
    {
        const int perSender = 1_000;
        var prefix = Prefix("queue");
        await using var east = await StartAsync(prefix, "east");
        await using var west = await StartAsync(prefix, "west");
        var received = new ConcurrentQueue<(string Receiver, string Message)>();
        east.GetChannel<string>("jobs").OnReceive(m => received.Enqueue(("east", m)));
        west.GetChannel<string>("jobs").OnReceive(m => received.Enqueue(("west", m)));

        // Both hosts send and receive: a message may go to either, its sender's host included.
        await Task.WhenAll(SendAsync(east, "east", perSender), SendAsync(west, "west", perSender));

        await TestApps.UntilAsync(() => received.Count >= 2 * perSender, "every message arrived");
        var all = received.ToArray();
        Assert.Equal(2 * perSender, all.Length);
        Assert.Equal(2 * perSender, all.Select(r => r.Message).Distinct().Count());
        foreach (var receiver in new[] { "east", "west" })
        {
            foreach (var sender in new[] { "east", "west" })
            {
                var numbers = all.Where(r => r.Receiver == receiver && r.Message.StartsWith(sender + ":", StringComparison.Ordinal)).Select(r => int.Parse(r.Message[(sender.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(numbers.Order(), numbers);
            }
        }

        // Consumed entries are acknowledged and deleted; none is left pending.
        await TestApps.UntilAsync(async () => await Database().StreamLengthAsync(prefix + ":chan:jobs") == 0, "the stream is empty");
    }

    [RedisFact]
    public async Task A_sender_without_receivers_stops_exactly_at_its_window_and_nothing_is_trimmed()
    {
        const int window = 8;
        var prefix = Prefix("window");
        await using var sender = await StartAsync(prefix, "producer", window);
        var jobs = sender.GetChannel<string>("jobs");

        for (var i = 0; i < window; i++)
        {
            Assert.True(jobs.TrySend($"m{i}"), $"message {i} of the window was refused");
        }

        Assert.False(jobs.TrySend("refused"));
        var next = jobs.SendAsync($"m{window}").AsTask();
        var stream = (RedisKey)(prefix + ":chan:jobs");
        await TestApps.UntilAsync(async () => await Database().StreamLengthAsync(stream) == window, "the window's messages are on Redis");
        Assert.False(next.IsCompleted);
        Assert.Equal(window, await Database().StreamLengthAsync(stream));
        Assert.Equal(window, (long)await Database().HashGetAsync(prefix + ":chan-senders:jobs", $"{RedisHostName("producer")}/producer"));

        // Another host takes them, in order; its acknowledgements give the sender its window back.
        await using var consumer = await StartAsync(prefix, "consumer", window);
        var got = new ConcurrentQueue<string>();
        consumer.GetChannel<string>("jobs").OnReceive(got.Enqueue);
        await next;
        await TestApps.UntilAsync(() => got.Count == window + 1, "the consumer got every message");
        Assert.Equal(Enumerable.Range(0, window + 1).Select(i => $"m{i}"), got);
        await TestApps.UntilAsync(async () => await Database().StreamLengthAsync(stream) == 0, "the consumed entries are gone");
    }

    [RedisFact]
    public async Task Redis_restarted_mid_run_fails_opens_clearly_then_works_and_keeps_what_was_appended()
    {
        var prefix = Prefix("restart");
        var log = new TestLog();
        await using var sender = await StartAsync(prefix, "producer", log: log);
        var jobs = sender.GetChannel<int>("jobs");
        for (var i = 0; i < 20; i++)
        {
            jobs.Send(i);
        }

        // Appended (acknowledged by Redis, with an fsync: the fixture runs AOF always) before the kill.
        var stream = (RedisKey)(prefix + ":chan:jobs");
        await TestApps.UntilAsync(async () => await Database().StreamLengthAsync(stream) == 20, "the messages are on Redis");

        await redis.KillAsync();

        var opening = Assert.ThrowsAny<FirnException>(() => sender.GetChannel<int>("opened-while-down"));
        Assert.Contains("Redis", opening.Message, StringComparison.Ordinal);

        // Sends are taken within the window and wait in the main process for Redis; the outage is logged, naming Redis.
        for (var i = 20; i < 25; i++)
        {
            Assert.True(jobs.TrySend(i));
        }

        await TestApps.UntilAsync(() => log.Contains(LogLevel.Warning, "cannot reach Redis"), "the outage was logged");

        await redis.StartAsync();

        await using var consumer = await StartAsync(prefix, "consumer");
        var got = new ConcurrentQueue<int>();
        IDisposable? handler = null;
        await TestApps.UntilAsync(
            () =>
            {
                try
                {
                    handler ??= consumer.GetChannel<int>("jobs").OnReceive(got.Enqueue);
                    return true;
                }
                catch (FirnException)
                {
                    return false;
                }
            },
            "the consumer opens the channel once its client has reconnected");
        await TestApps.UntilAsync(() => got.Count >= 25, "every message arrived");
        Assert.Equal(Enumerable.Range(0, 25), got);
        await TestApps.UntilAsync(() => log.Contains(LogLevel.Information, "reaches Redis again"), "the recovery was logged");
        handler!.Dispose();
    }

    [RedisFact]
    public async Task A_channel_opened_on_one_host_with_another_type_fails_on_the_other_naming_both()
    {
        var prefix = Prefix("types");
        await using var east = await StartAsync(prefix, "east");
        await using var west = await StartAsync(prefix, "west");
        east.GetChannel<int>("typed");

        var error = Assert.Throws<ChannelTypeMismatchException>(() => west.GetChannel<string>("typed"));

        Assert.Contains("System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.String", error.Message, StringComparison.Ordinal);
        Assert.Contains("'typed'", error.Message, StringComparison.Ordinal);
        Assert.True(west.TryGetChannel<int>("typed", out _));
        Assert.False(west.TryGetChannel<int>("nobody-opened", out _));
    }

    [RedisFact]
    public async Task The_append_script_appends_only_while_the_senders_count_is_under_its_window()
    {
        var prefix = Prefix("script");
        var keys = new Firn.Redis.Channels.RedisChannelKeys(prefix, "jobs");
        RedisKey[] scriptKeys = [keys.Stream, keys.Senders, keys.Closed];
        RedisValue[] Args(params string[] messages) => [3, "host-a", "worker", prefix + ":chan-bell:jobs", .. messages.Select(m => (RedisValue)m)];

        var first = (RedisResult[])(await Database().ScriptEvaluateAsync(Firn.Redis.Channels.RedisChannelScripts.Append, scriptKeys, Args("a", "b", "c", "d", "e")))!;
        var second = (RedisResult[])(await Database().ScriptEvaluateAsync(Firn.Redis.Channels.RedisChannelScripts.Append, scriptKeys, Args("f")))!;

        // Three (the window) appended in order, the rest refused, nothing removed.
        Assert.Equal(3, first.Length);
        Assert.Empty(second);
        var entries = await Database().StreamRangeAsync(keys.Stream);
        Assert.Equal(["a", "b", "c"], entries.Select(e => (string?)e["d"]));
        Assert.Equal(3, (long)await Database().HashGetAsync(keys.Senders, "host-a/worker"));
    }

    private static string RedisHostName(string mainProcessName) => Firn.Redis.Hosts.RedisHostLiveness.HostNameOf(mainProcessName);

    private static string Prefix(string what) => what + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task SendAsync(FirnApp app, string sender, int count)
    {
        var jobs = app.GetChannel<string>("jobs");
        for (var i = 0; i < count; i++)
        {
            await jobs.SendAsync($"{sender}:{i}");
        }
    }

    private IDatabase Database()
    {
        var configuration = new ConfigurationOptions { AbortOnConnectFail = false };
        configuration.EndPoints.Add(new UnixDomainSocketEndPoint(redis.SocketPath));
        _inspector ??= ConnectionMultiplexer.Connect(configuration);
        return _inspector.GetDatabase();
    }

    private async Task<FirnApp> StartAsync(string prefix, string name, int window = 1024, TestLog? log = null)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = name,
            LoggerFactory = (log ?? new TestLog()).Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
            ChannelSendWindow = window,
        }.UseRedis(redis.Options(prefix, TimeSpan.FromSeconds(1))));
        await app.StartAsync();
        return app;
    }
}
