using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>A prefix holding Redis's glob characters is literal: SCAN and PSUBSCRIBE within it see no other application.</summary>
public sealed class RedisPrefixTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [RedisFact]
    public async Task A_prefix_with_glob_characters_sees_only_its_own_keys_and_topics()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using var star = await StartAsync($"{tag}*", "star");
        await using var plain = await StartAsync($"{tag}X", "plain");
        await using var bracket = await StartAsync($"{tag}[X]", "bracket");

        await star.SharedMemory.SetAsync("k", "star");
        await plain.SharedMemory.SetAsync("k", "plain");
        await bracket.SharedMemory.SetAsync("k", "bracket");
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var subscription = await star.SharedMemory.SubscribeAsync<string>("*", (_, text) =>
        {
            received.Enqueue(text);
            return Task.CompletedTask;
        });

        await plain.SharedMemory.PublishAsync("news", "plain");
        await bracket.SharedMemory.PublishAsync("news", "bracket");
        await star.SharedMemory.PublishAsync("news", "star");
        await TestApps.UntilAsync(() => received.Contains("star"), "the star app's own publication arrived");

        Assert.Equal(["k"], await star.SharedMemory.GetKeysAsync());
        Assert.Equal("star", Assert.Single(await star.SharedMemory.GetAllAsync()).Value);
        Assert.Equal("bracket", await bracket.SharedMemory.GetAsync<string>("k"));
        Assert.Equal(["star"], received);
    }

    private async Task<FirnApp> StartAsync(string prefix, string name) => await TestApps.StartAsync(new FirnApp(new FirnAppOptions
    {
        MainProcessName = name,
        LoggerFactory = new TestLog().Factory,
        HandleSignals = false,
        SocketDirectory = "/tmp",
        StartTimeout = TestApps.Timeout,
    }.UseRedis(redis.Options(prefix))));
}
