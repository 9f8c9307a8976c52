using Firn;

namespace Firn.TestMain;

/// <summary>
/// A host of the Redis channel tests: a main process on Redis (host timeout 1 s) receiving on the channel <c>jobs</c>
/// (strings) and printing <c>got {message}</c> per message. In mode <c>work</c> each message is consumed at once; in
/// mode <c>hang</c> the handler never returns, so the process holds its receive buffer (8) unacknowledged until it is
/// killed. It prints <c>ready</c> once it receives. Arguments: redis-channel CONFIGURATION PREFIX NAME MODE.
/// </summary>
internal static class RedisChannelHost
{
    public static async Task<int> RunAsync(string configuration, string prefix, string name, string mode)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = name,
            SocketDirectory = "/tmp",
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        }.UseRedis(new FirnRedisOptions { Configuration = configuration, Prefix = prefix, HostTimeout = TimeSpan.FromSeconds(1) }));
        app.OnAfterStart(() =>
        {
            var jobs = app.GetChannel<string>("jobs", new ChannelOptions { ReceiveBufferSize = 8 });
            if (mode == "hang")
            {
                jobs.OnReceive(async message =>
                {
                    Console.Out.WriteLine("got " + message);
                    await Task.Delay(Timeout.Infinite);
                });
            }
            else
            {
                jobs.OnReceive(message => Console.Out.WriteLine("got " + message));
            }

            Console.Out.WriteLine("ready");
        });
        return await app.RunAsync();
    }
}
