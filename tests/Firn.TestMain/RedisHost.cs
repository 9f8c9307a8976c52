using System.Collections.Concurrent;
using System.Globalization;
using Firn;

namespace Firn.TestMain;

/// <summary>
/// One host of the two-hosts Redis test: a main process on Redis with one child, "worker" (this program re-launched).
/// Both run <see cref="WorkAsync"/>: subscribe to every host's publications, wait until all four processes of the two
/// hosts have, publish one greeting each, increment the shared counter <c>count</c> times, and record what they received.
/// Arguments: redis-host CONFIGURATION PREFIX HOST COUNT.
/// </summary>
internal static class RedisHost
{
    private const int Processes = 4;

    public static async Task<int> RunAsync(string configuration, string prefix, string host, int count)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = host,
            SocketDirectory = "/tmp",
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        }.UseRedis(new FirnRedisOptions { Configuration = configuration, Prefix = prefix }));
        app.AddProcess(
            "worker",
            async context =>
            {
                await WorkAsync(context.App.SharedMemory, $"{host}.worker", count, context.Stopping);
                await Task.Delay(Timeout.Infinite, context.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            },
            new ProcessOptions { Restart = RestartPolicy.Temporary });
        app.OnAfterStart(() => _ = Task.Run(async () =>
        {
            await WorkAsync(app.SharedMemory, host, count, CancellationToken.None);
            Console.Out.WriteLine("done");
            Console.Out.Flush();
        }));
        return await app.RunAsync();
    }

    private static async Task WorkAsync(SharedMemory memory, string name, int count, CancellationToken stopping)
    {
        var received = new ConcurrentQueue<string>();
        using var subscription = await memory.SubscribeAsync<string>("hello.*", (_, from) =>
        {
            received.Enqueue(from);
            return Task.CompletedTask;
        }, cancellationToken: stopping);
        await memory.IncrementAsync("subscribed", cancellationToken: stopping);
        while (await memory.GetAsync<long>("subscribed", cancellationToken: stopping) < Processes)
        {
            await Task.Delay(20, stopping);
        }

        await memory.PublishAsync("hello." + name, name);
        for (var i = 0; i < count; i++)
        {
            await memory.IncrementAsync("counter", cancellationToken: stopping);
        }

        while (received.Count < Processes)
        {
            await Task.Delay(20, stopping);
        }

        await memory.SetAsync("received." + name, string.Join(',', received.Order(StringComparer.Ordinal)), cancellationToken: stopping);
        await memory.IncrementAsync("finished", cancellationToken: stopping);
    }

    /// <summary>Parses the count argument.</summary>
    public static int Count(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
