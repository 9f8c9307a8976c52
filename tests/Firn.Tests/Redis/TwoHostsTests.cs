using Firn.Tests.Support;

namespace Firn.Tests.Redis;

/// <summary>
/// Two hosts as two real main processes (Firn.TestMain's "redis-host"), each with a real child, on one Redis: the four
/// processes' increments of one key all count, and each process gets every process's publication, its own included.
/// </summary>
public sealed class TwoHostsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Count = 500;

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    [RedisFact]
    public async Task Four_processes_on_two_hosts_share_one_counter_and_every_publication()
    {
        var prefix = "hosts-" + Guid.NewGuid().ToString("N")[..8];
        await using var east = ProgramProcess.Start(MainPath, ["redis-host", redis.Configuration, prefix, "east", $"{Count}"]);
        await using var west = ProgramProcess.Start(MainPath, ["redis-host", redis.Configuration, prefix, "west", $"{Count}"]);
        await using var observer = await TestApps.StartAsync(new FirnApp(new FirnAppOptions { HandleSignals = false, SocketDirectory = "/tmp", LoggerFactory = new TestLog().Factory }.UseRedis(redis.Options(prefix))));

        await east.WaitForLineAsync("done");
        await west.WaitForLineAsync("done");
        await TestApps.UntilAsync(() => observer.SharedMemory.Get("finished", 0L) == 4, "the four processes finished");

        Assert.Equal(4L * Count, await observer.SharedMemory.GetAsync<long>("counter"));
        const string everyone = "east,east.worker,west,west.worker";
        foreach (var process in everyone.Split(','))
        {
            Assert.Equal(everyone, await observer.SharedMemory.GetAsync<string>("received." + process));
        }
    }
}
