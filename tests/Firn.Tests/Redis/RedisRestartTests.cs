using System.Collections.Concurrent;
using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>
/// Redis killed mid-run (SIGKILL) and started again on the same AOF: during the outage every store call and publication
/// of the main process and of its child fails with a StoreException naming Redis; after it, everything works again on
/// its own (the same connection, the same subscriptions), and every acknowledged write is there.
/// </summary>
public sealed class RedisRestartTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [RedisFact]
    public async Task Calls_fail_clearly_while_Redis_is_down_and_work_again_with_acknowledged_writes_kept()
    {
        var log = new TestLog();
        await using var main = await TestApps.StartAsync(new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
        }.UseRedis(redis.Options())));
        await using var child = await LoopbackChild.StartAsync(main, "loopback", log);
        var received = new ConcurrentQueue<int>();
        using var subscription = await child.App.SharedMemory.SubscribeAsync<int>("ticks", (_, n) =>
        {
            received.Enqueue(n);
            return Task.CompletedTask;
        });
        for (var i = 0; i < 100; i++)
        {
            await (i % 2 == 0 ? main : child.App).SharedMemory.IncrementAsync("acknowledged");
        }

        await main.SharedMemory.PublishAsync("ticks", 1);
        await TestApps.UntilAsync(() => received.Contains(1), "the first publication arrived");

        await redis.KillAsync();

        var fromMain = await Assert.ThrowsAsync<StoreException>(async () => await main.SharedMemory.IncrementAsync("acknowledged"));
        var fromChild = await Assert.ThrowsAsync<StoreException>(async () => await child.App.SharedMemory.GetAsync<long>("acknowledged"));
        var publishing = await Assert.ThrowsAsync<StoreException>(async () => await main.SharedMemory.PublishAsync("ticks", 2));
        Assert.All(new[] { fromMain, fromChild, publishing }, error => Assert.Contains("Redis", error.Message, StringComparison.Ordinal));

        await redis.StartAsync();

        await TestApps.UntilAsync(() => RedisServer.StoreWorks(main) && RedisServer.StoreWorks(child.App), "both processes reach Redis again");
        Assert.Equal(100L, await child.App.SharedMemory.GetAsync<long>("acknowledged"));

        // The subscription made before the outage is renewed by the reconnect.
        await TestApps.UntilAsync(
            () =>
            {
                main.SharedMemory.Publish("ticks", 3);
                return received.Contains(3);
            },
            "a publication after the restart arrived");
    }
}
