using Firn.Redis.Connection;
using Firn.Redis.Hosts;
using Firn.Tests.Support;
using StackExchange.Redis;

namespace Firn.Tests.Redis;

/// <summary>The hosts' liveness keys on a real Redis: alive while renewed, gone at once on a clean leave, expired after the timeout otherwise.</summary>
public sealed class RedisHostLivenessTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [RedisFact]
    public async Task A_host_is_alive_while_it_renews_and_dead_at_once_when_it_leaves()
    {
        var names = new RedisNames("live-" + Guid.NewGuid().ToString("N")[..8]);
        await using var multiplexer = await ConnectAsync();
        var timeout = TimeSpan.FromSeconds(1);
        var first = new RedisHostLiveness(multiplexer, names, "east@a:1", timeout, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var second = new RedisHostLiveness(multiplexer, names, "west@b:2", timeout, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        await TestApps.UntilAsync(async () => (await second.LiveHostsAsync()).Count == 2, "both hosts are alive");

        // Alive across several timeouts: the key is renewed.
        var started = DateTime.UtcNow;
        await TestApps.UntilAsync(() => DateTime.UtcNow - started > timeout * 3, "three timeouts passed");
        Assert.True(await second.IsAliveAsync("east@a:1"));

        await first.DisposeAsync();
        Assert.False(await second.IsAliveAsync("east@a:1"));
        Assert.Equal(["west@b:2"], await second.LiveHostsAsync());
    }

    [RedisFact]
    public async Task A_host_that_stops_renewing_is_dead_after_the_timeout()
    {
        var names = new RedisNames("expire-" + Guid.NewGuid().ToString("N")[..8]);
        await using var multiplexer = await ConnectAsync();
        await using var observer = new RedisHostLiveness(multiplexer, names, "observer@a:1", TimeSpan.FromSeconds(5), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        // A host that died without leaving: its key, written as a host writes it, and nothing renewing it.
        var database = multiplexer.GetDatabase();
        await database.StringSetAsync(names.HostKey("dead@b:2"), "instance", TimeSpan.FromMilliseconds(400));
        await database.SetAddAsync(names.Hosts, "dead@b:2");
        Assert.True(await observer.IsAliveAsync("dead@b:2"));

        await TestApps.UntilAsync(async () => !await observer.IsAliveAsync("dead@b:2"), "the dead host's key expired");
        await TestApps.UntilAsync(async () => (await observer.LiveHostsAsync()).SequenceEqual(["observer@a:1"]), "only the observer is listed");
        Assert.False(await database.SetContainsAsync(names.Hosts, "dead@b:2"));
    }

    private Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { new System.Net.Sockets.UnixDomainSocketEndPoint(redis.SocketPath) } });

    [Fact]
    public void The_host_timeout_is_at_least_300_ms()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(300), new FirnRedisOptions { Configuration = "x", HostTimeout = TimeSpan.FromMilliseconds(300) }.HostTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnRedisOptions { Configuration = "x", HostTimeout = TimeSpan.FromMilliseconds(299) });
        Assert.Equal(TimeSpan.FromSeconds(5), new FirnRedisOptions { Configuration = "x" }.HostTimeout);
    }
}
