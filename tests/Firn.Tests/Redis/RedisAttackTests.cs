using System.Collections.Concurrent;
using Firn.Redis.Connection;
using Firn.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Firn.Tests.Redis;

/// <summary>
/// Attacks on what README.md ("Several machines") and docs/redis.md promise of the Redis backend, each with a real
/// redis-server and real main processes.
/// </summary>
public sealed class RedisAttackTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>docs/redis.md: "a missing, unknown or out-of-bounds one fails with a FirnConfigurationException naming it by its path (Redis:HostTimeout: ...)".</summary>
    [Theory]
    [InlineData("Redis:HostTimeout", "00:00:00.100", "Redis:HostTimeout: ")]
    [InlineData("Redis:OperationTimeout", "00:00:00", "Redis:OperationTimeout: ")]
    [InlineData("Redis:ConnectTimeout", "-00:00:01", "Redis:ConnectTimeout: ")]
    [InlineData("Redis:Prefix", "", "Redis:Prefix: ")]
    [InlineData("Redis:Configuration", "localhost:6379,notAnOption=1", "Redis:Configuration: ")]
    public void An_out_of_bounds_setting_is_named_by_its_path(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Redis:Configuration"] = "localhost:6379", [key] = value };
        var section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Redis");
        var error = Assert.Throws<FirnConfigurationException>(() => new ServiceCollection().AddFirn(firn => firn.UseRedis(section)));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter 'value')", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/storage-and-pubsub.md: <c>?</c> is one character; redis.md: a pattern is a PSUBSCRIBE "with Firn's * and ?".
    /// Redis's <c>?</c> is one byte, so a topic with a non-ASCII character (several UTF-8 bytes) must still match as in memory.
    /// </summary>
    [RedisFact]
    public async Task A_question_mark_matches_one_character_of_any_script_across_hosts()
    {
        var prefix = "glob-" + Guid.NewGuid().ToString("N")[..8];
        await using var publisher = await StartAsync(redis.Options(prefix), "publisher");
        await using var subscriber = await StartAsync(redis.Options(prefix), "subscriber");
        await using var memory = await TestApps.StartAsync(new FirnApp(AppOptions("memory")));
        var onRedis = new ConcurrentQueue<string>();
        var inMemory = new ConcurrentQueue<string>();
        using var redisPattern = await subscriber.SharedMemory.SubscribeAsync<string>("caf?.news", (topic, _) => Record(onRedis, topic));
        using var memoryPattern = await memory.SharedMemory.SubscribeAsync<string>("caf?.news", (topic, _) => Record(inMemory, topic));
        using var redisEnd = await subscriber.SharedMemory.SubscribeAsync<string>("end", (topic, _) => Record(onRedis, topic));

        foreach (var topic in new[] { "café.news", "cafe.news", "caf.news", "cafée.news" })
        {
            await publisher.SharedMemory.PublishAsync(topic, "x");
            await memory.SharedMemory.PublishAsync(topic, "x");
        }

        await publisher.SharedMemory.PublishAsync("end", "x");
        await TestApps.UntilAsync(() => onRedis.Contains("end"), "the last publication arrived");
        Assert.Equal(["café.news", "cafe.news"], inMemory);
        Assert.Equal(["café.news", "cafe.news", "end"], onRedis);
    }

    /// <summary>
    /// docs/redis.md: "It is created with AbortOnConnectFail=false (an app starts even while Redis is down, and its calls
    /// fail until Redis is back)": a store call before Redis is up fails with a StoreException naming Redis, and works once it is.
    /// </summary>
    [RedisFact]
    public async Task An_app_started_while_Redis_is_down_fails_clearly_and_works_once_Redis_is_up()
    {
        var late = new RedisServer();
        try
        {
            await using var app = await StartAsync(late.Options(), "early");
            var error = await Assert.ThrowsAsync<StoreException>(async () => await app.SharedMemory.SetAsync("k", 1));
            Assert.Contains("Redis", error.Message, StringComparison.Ordinal);
            var publishing = await Assert.ThrowsAsync<StoreException>(async () => await app.SharedMemory.PublishAsync("t", 1));
            Assert.Contains("Redis", publishing.Message, StringComparison.Ordinal);

            await late.StartAsync();
            await TestApps.UntilAsync(() => Works(app), "the app reaches Redis once it is up");
            await app.SharedMemory.SetAsync("k", 2);
            Assert.Equal(2, await app.SharedMemory.GetAsync<int>("k"));
        }
        finally
        {
            await late.DisposeAsync();
        }
    }

    /// <summary>
    /// The same promise across hosts: two hosts that started while Redis was down share the store, pub/sub, a channel,
    /// RPC and the process list once Redis is up, without a restart.
    /// </summary>
    [RedisFact]
    public async Task Two_hosts_started_while_Redis_is_down_share_everything_once_it_is_up()
    {
        var late = new RedisServer();
        try
        {
            var prefix = "late-" + Guid.NewGuid().ToString("N")[..8];
            await using var east = await StartAsync(late.Options(prefix, TimeSpan.FromSeconds(1)), "east");
            await using var west = await StartAsync(late.Options(prefix, TimeSpan.FromSeconds(1)), "west");
            await late.StartAsync();
            await TestApps.UntilAsync(() => Works(east) && Works(west), "both hosts reach Redis");

            await east.SharedMemory.IncrementAsync("count", 2);
            Assert.Equal(2L, await west.SharedMemory.GetAsync<long>("count"));

            var published = new ConcurrentQueue<string>();
            using var subscription = await west.SharedMemory.SubscribeAsync<string>("news", (_, text) => Record(published, text));
            await east.SharedMemory.PublishAsync("news", "hello");
            await TestApps.UntilAsync(() => published.Contains("hello"), "the publication reached the other host");

            await TestApps.UntilAsync(
                async () =>
                {
                    try
                    {
                        await east.Rpc.RegisterAsync("east.echo", (string text) => text + "!");
                        return true;
                    }
                    catch (RpcException)
                    {
                        return false;
                    }
                },
                "the method is registered");

            // Until east's next liveness renewal (a third of HostTimeout after the reconnect) it counts as dead.
            string? echoed = null;
            await TestApps.UntilAsync(
                async () =>
                {
                    try
                    {
                        echoed = await west.Rpc.CallAsync<string>("east.echo", "hi").WaitAsync(TestApps.Timeout);
                        return true;
                    }
                    catch (RpcProcessExitedException)
                    {
                        return false;
                    }
                },
                "the call reaches east");
            Assert.Equal("hi!", echoed);

            var received = new ConcurrentQueue<string>();
            west.GetChannel<string>("jobs").OnReceive(received.Enqueue);
            await east.GetChannel<string>("jobs").SendAsync("job").AsTask().WaitAsync(TestApps.Timeout);
            await TestApps.UntilAsync(() => received.Contains("job"), "the message reached the other host");

            await TestApps.UntilAsync(() => east.Supervisor!.GetChannels().Any(c => c.Name == "jobs" && c.Members.Any(m => m.Host?.StartsWith("west@", StringComparison.Ordinal) == true)), "east sees west's receiver");
        }
        finally
        {
            await late.DisposeAsync();
        }
    }

    /// <summary>
    /// FirnRedisOptions.ConnectTimeout: "How long connecting (and each reconnecting attempt) may take"; redis.md: an app
    /// starts even while Redis is down. The client's three attempts held the app's constructor for three connect
    /// timeouts, and its stop waited for the RPC reader's connect as long.
    /// </summary>
    [RedisFact]
    public async Task An_app_made_while_Redis_is_down_waits_one_connect_timeout_and_stops_at_once()
    {
        var late = new RedisServer();
        try
        {
            var connectTimeout = TimeSpan.FromSeconds(4);
            var options = new FirnRedisOptions { Configuration = late.Configuration, Prefix = "down-" + Guid.NewGuid().ToString("N")[..8], ConnectTimeout = connectTimeout };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var app = new FirnApp(AppOptions("down").UseRedis(options));
            var made = clock.Elapsed;
            await TestApps.StartAsync(app);
            clock.Restart();
            await app.DisposeAsync();
            var stopped = clock.Elapsed;

            Assert.True(made < connectTimeout * 2, $"the app took {made} to make (connect timeout {connectTimeout})");
            Assert.True(stopped < connectTimeout * 2, $"the app took {stopped} to stop (connect timeout {connectTimeout})");
        }
        finally
        {
            await late.DisposeAsync();
        }
    }

    private static bool Works(FirnApp app)
    {
        try
        {
            app.SharedMemory.Get("probe", 0L);
            return true;
        }
        catch (StoreException)
        {
            return false;
        }
    }

    private static Task Record(ConcurrentQueue<string> received, string line)
    {
        received.Enqueue(line);
        return Task.CompletedTask;
    }

    private static FirnAppOptions AppOptions(string name) => new()
    {
        MainProcessName = name,
        LoggerFactory = new TestLog().Factory,
        HandleSignals = false,
        SocketDirectory = "/tmp",
        StartTimeout = TestApps.Timeout,
    };

    private static async Task<FirnApp> StartAsync(FirnRedisOptions options, string name) =>
        await TestApps.StartAsync(new FirnApp(AppOptions(name).UseRedis(options)));
}
