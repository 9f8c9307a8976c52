using System.Collections.Concurrent;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Redis;

/// <summary>
/// Two main processes (two apps of the test process) on one Redis: the store and pub/sub are shared under one prefix
/// and apart under two; RPC methods are called across them.
/// </summary>
public sealed class RedisAcrossMainsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [RedisFact]
    public async Task Two_mains_with_one_prefix_share_the_store_and_another_prefix_is_apart()
    {
        var prefix = "across-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await StartAsync(prefix, "first");
        await using var second = await StartAsync(prefix, "second");
        await using var other = await StartAsync(prefix + "-other");

        await first.SharedMemory.SetAsync("greeting", "hello", TimeSpan.FromMinutes(1));
        await second.SharedMemory.IncrementAsync("count", 2);
        await first.SharedMemory.IncrementAsync("count", 3);

        Assert.Equal("hello", await second.SharedMemory.GetAsync<string>("greeting"));
        Assert.Equal(5L, await second.SharedMemory.GetAsync<long>("count"));
        Assert.Equal(["count", "greeting"], (await first.SharedMemory.GetKeysAsync()).Order(StringComparer.Ordinal));
        Assert.False((await other.SharedMemory.TryGetAsync<string>("greeting")).Found);
        Assert.Empty(await other.SharedMemory.GetAllAsync());
    }

    [RedisFact]
    public async Task A_publication_reaches_the_other_main_once_and_patterns_keep_brackets_literal()
    {
        var prefix = "pubsub-" + Guid.NewGuid().ToString("N")[..8];
        await using var publisher = await StartAsync(prefix, "publisher");
        await using var subscriber = await StartAsync(prefix, "subscriber");
        var received = new ConcurrentQueue<string>();
        using var exact = await subscriber.SharedMemory.SubscribeAsync<string>("room[1].news", (topic, text) => Record(received, $"{topic}={text}"));
        using var pattern = await subscriber.SharedMemory.SubscribeAsync<string>("room[1].*", (topic, text) => Record(received, $"{topic}={text} (pattern)"));

        await publisher.SharedMemory.PublishAsync("room1.news", "not matched: the brackets are literal");
        await publisher.SharedMemory.PublishAsync("room[1].news", "first");
        await publisher.SharedMemory.PublishAsync("room[1].sport", "second");

        // The process subscribes to the topic and to a pattern that matches it: it gets the publication once, and its
        // own table hands it to both subscriptions, as without Redis.
        string[] expected = ["room[1].news=first", "room[1].news=first (pattern)", "room[1].sport=second (pattern)"];
        await TestApps.UntilAsync(() => received.Count >= expected.Length, "the publications arrived");
        await subscriber.SharedMemory.PublishAsync("room[1].end", "last");
        await TestApps.UntilAsync(() => received.Contains("room[1].end=last (pattern)"), "the last publication arrived");
        Assert.Equal(expected.Append("room[1].end=last (pattern)").Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    [RedisFact]
    public async Task RPC_methods_of_one_main_process_are_called_from_the_other_and_local_calls_stay_local()
    {
        var prefix = "rpc-" + Guid.NewGuid().ToString("N")[..8];
        await using var owner = await StartAsync(prefix, "owner");
        await using var stranger = await StartAsync(prefix, "stranger");
        await owner.Rpc.RegisterAsync("owned.echo", (string text, RpcCallContext context) => $"{text} from {context.CallerProcess}");
        await stranger.Rpc.RegisterAsync("stranger.add", (int a, int b) => a + b);

        Assert.Equal("hi from owner", await owner.Rpc.CallAsync<string>("owned.echo", "hi"));
        Assert.Equal("hi from stranger", await stranger.Rpc.CallAsync<string>("owned.echo", "hi"));
        Assert.Equal(5, await owner.Rpc.CallAsync<int>("stranger.add", 2, 3));
        var taken = await Assert.ThrowsAsync<RpcException>(() => stranger.Rpc.RegisterAsync("owned.echo", (string text) => text));
        Assert.Contains("already registered by a process of host 'owner@", taken.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => stranger.Rpc.CallAsync<string>("nobody.echo", "hi"));
        Assert.Contains("No process has registered method 'nobody.echo'", unknown.Message, StringComparison.Ordinal);
    }

    private static Task Record(ConcurrentQueue<string> received, string line)
    {
        received.Enqueue(line);
        return Task.CompletedTask;
    }

    /// <remarks>Two main processes of one test process need distinct names: a host's name is its main process's name and the pid.</remarks>
    private async Task<FirnApp> StartAsync(string prefix, string name = "main")
    {
        var log = new TestLog();
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = name,
            LoggerFactory = log.Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
        }.UseRedis(redis.Options(prefix)));
        await app.StartAsync();
        Assert.True(log.Contains(LogLevel.Information, $"On Redis as host '{name}@"));
        return app;
    }
}
