using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>
/// Redis that hangs (SIGSTOP: its connections stay open and nothing answers): each call fails after
/// <see cref="FirnRedisOptions.OperationTimeout"/> with a StoreException naming Redis, in the main process and in its
/// child, and everything works again once Redis goes on.
/// </summary>
public sealed class RedisHungTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [RedisFact]
    public async Task Calls_to_a_hung_Redis_time_out_as_StoreExceptions_and_work_again_after()
    {
        var log = new TestLog();
        await using var main = await TestApps.StartAsync(new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            HandleSignals = false,
            SocketDirectory = "/tmp",
            StartTimeout = TestApps.Timeout,
        }.UseRedis(new FirnRedisOptions
        {
            Configuration = redis.Configuration,
            Prefix = "hung-" + Guid.NewGuid().ToString("N")[..8],
            OperationTimeout = TimeSpan.FromMilliseconds(500),
        })));
        await using var child = await LoopbackChild.StartAsync(main, "loopback", log);
        await main.SharedMemory.SetAsync("kept", 7L);

        redis.Pause();
        try
        {
            var fromMain = await Assert.ThrowsAsync<StoreException>(async () => await main.SharedMemory.GetAsync<long>("kept"));
            var incrementing = await Assert.ThrowsAsync<StoreException>(async () => await main.SharedMemory.IncrementAsync("counter"));
            var fromChild = await Assert.ThrowsAsync<StoreException>(async () => await child.App.SharedMemory.GetAsync<long>("kept"));
            var publishing = await Assert.ThrowsAsync<StoreException>(async () => await main.SharedMemory.PublishAsync("topic", 1));
            var subscribing = await Assert.ThrowsAsync<StoreException>(async () => await child.App.SharedMemory.SubscribeAsync<int>("topic", (_, _) => Task.CompletedTask));
            Assert.All(new[] { fromMain, incrementing, fromChild, publishing, subscribing }, error => Assert.Contains("Redis", error.Message, StringComparison.Ordinal));
        }
        finally
        {
            redis.Resume();
        }

        await TestApps.UntilAsync(
            async () =>
            {
                try
                {
                    return await child.App.SharedMemory.GetAsync<long>("kept") == 7L;
                }
                catch (StoreException)
                {
                    return false;
                }
            },
            "the child reaches Redis again");
        Assert.Equal(7L, await main.SharedMemory.GetAsync<long>("kept"));

        // The subscription that failed left nothing behind: subscribing again works, and publications arrive.
        var received = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var subscription = await child.App.SharedMemory.SubscribeAsync<int>("topic", (_, n) =>
        {
            received.Enqueue(n);
            return Task.CompletedTask;
        });
        await main.SharedMemory.PublishAsync("topic", 2);
        await TestApps.UntilAsync(() => received.Contains(2), "the publication after the hang arrived");
    }
}
