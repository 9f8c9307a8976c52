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

        // The last topic matches too: publications reach one subscription in the order published (not across two), so once
        // it arrived every earlier match (or wrong match) has.
        foreach (var topic in new[] { "café.news", "cafe.news", "caf.news", "cafée.news", "caf!.news" })
        {
            await publisher.SharedMemory.PublishAsync(topic, "x");
            await memory.SharedMemory.PublishAsync(topic, "x");
        }

        await TestApps.UntilAsync(() => onRedis.Contains("caf!.news") && inMemory.Contains("caf!.news"), "the last publication arrived");
        Assert.Equal(["café.news", "cafe.news", "caf!.news"], inMemory);
        Assert.Equal(["café.news", "cafe.news", "caf!.news"], onRedis);
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
            await TestApps.UntilAsync(() => RedisServer.StoreWorks(app), "the app reaches Redis once it is up");
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
            await TestApps.UntilAsync(() => RedisServer.StoreWorks(east) && RedisServer.StoreWorks(west), "both hosts reach Redis");

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

    /// <summary>
    /// The message size limit holds across hosts as within one: the largest publication, channel message and RPC
    /// argument a host accepts reaches the other host, and one byte more is refused with MessageTooLargeException.
    /// </summary>
    [RedisFact]
    public async Task Messages_at_the_size_limit_cross_hosts_and_one_byte_more_is_refused()
    {
        const int limit = 8192;
        var prefix = "size-" + Guid.NewGuid().ToString("N")[..8];
        await using var east = await TestApps.StartAsync(new FirnApp(AppOptions("east", limit).UseRedis(redis.Options(prefix))));
        await using var west = await TestApps.StartAsync(new FirnApp(AppOptions("west", limit).UseRedis(redis.Options(prefix))));

        var publications = new ConcurrentQueue<int>();
        using var subscription = await west.SharedMemory.SubscribeAsync<byte[]>("big", (_, bytes) => Record(publications, bytes.Length));
        var published = await LargestAsync(async n => await east.SharedMemory.PublishAsync("probe", new byte[n]));
        await east.SharedMemory.PublishAsync("big", new byte[published]);
        await TestApps.UntilAsync(() => publications.Contains(published), "the largest publication reached the other host");
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await east.SharedMemory.PublishAsync("big", new byte[published + 1]));

        var received = new ConcurrentQueue<int>();
        west.GetChannel<byte[]>("big").OnReceive(bytes => received.Enqueue(bytes.Length));
        var probe = east.GetChannel<byte[]>("probe-" + prefix);
        var sent = await LargestAsync(n =>
        {
            probe.TrySend(new byte[n]);
            return Task.CompletedTask;
        });
        var big = east.GetChannel<byte[]>("big");
        await big.SendAsync(new byte[sent]).AsTask().WaitAsync(TestApps.Timeout);
        await TestApps.UntilAsync(() => received.Contains(sent), "the largest channel message reached the other host");
        Assert.Throws<MessageTooLargeException>(() => big.TrySend(new byte[sent + 1]));

        await east.Rpc.RegisterAsync("east.length", (byte[] bytes) => bytes.Length);
        await west.Rpc.RegisterAsync("west.length", (byte[] bytes) => bytes.Length);
        var argument = await LargestAsync(async n => await east.Rpc.CallAsync<int>("east.length", new byte[n]));
        Assert.Equal(argument, await east.Rpc.CallAsync<int>("west.length", new byte[argument]).WaitAsync(TestApps.Timeout));
        await Assert.ThrowsAsync<MessageTooLargeException>(() => east.Rpc.CallAsync<int>("west.length", new byte[argument + 1]));
    }

    /// <summary>
    /// Dispose while calls are in flight across hosts: a caller's app disposed with a call to another host in flight
    /// ends the call (no hang until the call timeout), and so does the owner's app stopping with a call of the other
    /// host in its handler (redis.md: a host's clean stop gives its names back; its callers' calls fail).
    /// </summary>
    [RedisFact]
    public async Task Calls_in_flight_across_hosts_end_when_either_host_is_disposed()
    {
        var prefix = "inflight-" + Guid.NewGuid().ToString("N")[..8];
        var hostTimeout = TimeSpan.FromSeconds(1);
        await using var owner = await TestApps.StartAsync(new FirnApp(AppOptions("owner").UseRedis(redis.Options(prefix, hostTimeout))));
        var caller = await TestApps.StartAsync(new FirnApp(AppOptions("caller").UseRedis(redis.Options(prefix, hostTimeout))));
        var entered = 0;
        await owner.Rpc.RegisterAsync("owner.wait", async (CancellationToken token) =>
        {
            Interlocked.Increment(ref entered);
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        });

        var first = caller.Rpc.CallAsync<int>("owner.wait");
        await TestApps.UntilAsync(() => Volatile.Read(ref entered) == 1, "the first call reached the handler");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await caller.DisposeAsync().AsTask().WaitAsync(TestApps.Timeout);
        var stopped = await Assert.ThrowsAsync<RpcProcessExitedException>(() => first.WaitAsync(TestApps.Timeout));
        Assert.Contains("stopped before the call to 'owner.wait'", stopped.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the caller's stop and its call took {clock.Elapsed}");

        await using var second = await TestApps.StartAsync(new FirnApp(AppOptions("second").UseRedis(redis.Options(prefix, hostTimeout))));
        var pending = second.Rpc.CallAsync<int>("owner.wait");
        await TestApps.UntilAsync(() => Volatile.Read(ref entered) == 2, "the second call reached the handler");
        clock.Restart();
        await owner.DisposeAsync().AsTask().WaitAsync(TestApps.Timeout);
        var error = await Assert.ThrowsAnyAsync<RpcException>(() => pending.WaitAsync(TestApps.Timeout));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the owner's stop and the call's end took {clock.Elapsed}: {error.Message}");
    }

    /// <summary>
    /// The store's edges across hosts, as in memory: Increment of another type is a StoreTypeMismatchException, past
    /// long.MaxValue a StoreException; the longest time to live is kept; SetIfAbsent and CompareAndSet raced from two
    /// hosts have exactly one winner; an app disposed twice is fine.
    /// </summary>
    [RedisFact]
    public async Task Store_edges_hold_across_hosts()
    {
        var prefix = "edges-" + Guid.NewGuid().ToString("N")[..8];
        var east = await TestApps.StartAsync(new FirnApp(AppOptions("east").UseRedis(redis.Options(prefix))));
        await using var west = await TestApps.StartAsync(new FirnApp(AppOptions("west").UseRedis(redis.Options(prefix))));

        await east.SharedMemory.SetAsync("text", "not a number");
        await Assert.ThrowsAsync<StoreTypeMismatchException>(async () => await west.SharedMemory.IncrementAsync("text"));
        await east.SharedMemory.SetAsync("big", long.MaxValue - 1);
        Assert.Equal(long.MaxValue, await west.SharedMemory.IncrementAsync("big"));
        var overflow = await Assert.ThrowsAsync<StoreException>(async () => await west.SharedMemory.IncrementAsync("big"));
        Assert.Contains("overflows", overflow.Message, StringComparison.Ordinal);
        Assert.Equal(long.MaxValue, await east.SharedMemory.GetAsync<long>("big"));

        await east.SharedMemory.SetAsync("forever", 1, TimeSpan.MaxValue);
        Assert.Equal(1, await west.SharedMemory.GetAsync<int>("forever"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await east.SharedMemory.SetAsync("never", 1, TimeSpan.Zero));

        for (var round = 0; round < 20; round++)
        {
            var key = "race" + round;
            var wins = await Task.WhenAll(east.SharedMemory.SetIfAbsentAsync(key, "east").AsTask(), west.SharedMemory.SetIfAbsentAsync(key, "west").AsTask());
            Assert.Single(wins, won => won);
            var swaps = await Task.WhenAll(east.SharedMemory.CompareAndSetAsync(key, wins[0] ? "east" : "west", "e2").AsTask(), west.SharedMemory.CompareAndSetAsync(key, wins[0] ? "east" : "west", "w2").AsTask());
            Assert.Single(swaps, won => won);
        }

        await east.DisposeAsync();
        await east.DisposeAsync();
        Assert.Equal("not a number", await west.SharedMemory.GetAsync<string>("text"));
    }

    /// <summary>
    /// redis.md: "applications with different prefixes share a server without seeing each other". A prefix that is
    /// another one followed by one of Firn's own names (<c>app:store</c> after <c>app</c>) would put its keys among the
    /// other's (<c>app:store:store:k</c> is app's key <c>store:k</c>): it is refused, naming the value; a prefix with
    /// other colons (<c>app:prod</c>) stays apart.
    /// </summary>
    [RedisFact]
    public async Task A_prefix_that_would_reach_into_another_s_keys_is_refused_and_colon_prefixes_stay_apart()
    {
        var tag = "colon" + Guid.NewGuid().ToString("N")[..8];
        foreach (var word in new[] { "store", "pubsub", "chan", "rpc", "host", "procs" })
        {
            var error = Assert.ThrowsAny<ArgumentException>(() => new FirnRedisOptions { Configuration = redis.Configuration, Prefix = $"{tag}:{word}:x" });
            Assert.Contains($"'{tag}:{word}:x'", error.Message, StringComparison.Ordinal);
        }

        await using var app = await TestApps.StartAsync(new FirnApp(AppOptions("app").UseRedis(redis.Options(tag))));
        await using var prod = await TestApps.StartAsync(new FirnApp(AppOptions("prod").UseRedis(redis.Options(tag + ":prod"))));
        await prod.SharedMemory.SetAsync("k", "prod");
        await app.SharedMemory.SetAsync("k", "app");
        Assert.Equal(["k"], await app.SharedMemory.GetKeysAsync());
        Assert.Equal("prod", await prod.SharedMemory.GetAsync<string>("k"));
    }

    /// <summary>The largest size <paramref name="send"/> takes without a MessageTooLargeException (by bisection).</summary>
    private static async Task<int> LargestAsync(Func<int, Task> send)
    {
        int low = 0, high = 1 << 20;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            try
            {
                await send(middle);
                low = middle;
            }
            catch (MessageTooLargeException)
            {
                high = middle - 1;
            }
        }

        return low;
    }

    private static Task Record<T>(ConcurrentQueue<T> received, T line)
    {
        received.Enqueue(line);
        return Task.CompletedTask;
    }

    private static FirnAppOptions AppOptions(string name, int maxMessageSize = 16 << 20) => new()
    {
        MainProcessName = name,
        MaxMessageSize = maxMessageSize,
        LoggerFactory = new TestLog().Factory,
        HandleSignals = false,
        SocketDirectory = "/tmp",
        StartTimeout = TestApps.Timeout,
    };

    private static async Task<FirnApp> StartAsync(FirnRedisOptions options, string name) =>
        await TestApps.StartAsync(new FirnApp(AppOptions(name).UseRedis(options)));
}
