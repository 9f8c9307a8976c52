using System.Globalization;
using Firn;

namespace Firn.TestMain;

/// <summary>
/// A host of the RPC-across-hosts Redis test, to be SIGKILLed: a main process on Redis that registers
/// <c>{host}.add</c> and <c>{host}.wait</c> (waits until cancelled), with one child, "worker" (this program re-launched),
/// that registers <c>{host}.worker.add</c>. Prints "ready" once the three are registered.
/// Arguments: redis-rpc-host CONFIGURATION PREFIX HOST HOST-TIMEOUT-MS.
/// </summary>
internal static class RedisRpcHost
{
    public static async Task<int> RunAsync(string configuration, string prefix, string host, string hostTimeoutMs)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            MainProcessName = host,
            SocketDirectory = "/tmp",
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        }.UseRedis(new FirnRedisOptions
        {
            Configuration = configuration,
            Prefix = prefix,
            HostTimeout = TimeSpan.FromMilliseconds(int.Parse(hostTimeoutMs, CultureInfo.InvariantCulture)),
        }));
        app.AddProcess(
            "worker",
            async context =>
            {
                using var add = await context.App.Rpc.RegisterAsync($"{host}.worker.add", (int a, int b) => a + b);
                await context.App.SharedMemory.SetAsync($"{host}.worker.ready", true);
                await Task.Delay(Timeout.Infinite, context.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            },
            new ProcessOptions { Restart = RestartPolicy.Temporary });
        // After the start, so only in the main process (the child runs this program too, with RPC usable from its entry on).
        app.OnAfterStart(() => _ = Task.Run(async () =>
        {
            await app.Rpc.RegisterAsync($"{host}.add", (int a, int b) => a + b);
            await app.Rpc.RegisterAsync($"{host}.wait", (CancellationToken token) => Task.Delay(Timeout.Infinite, token));
            while (!await app.SharedMemory.GetAsync($"{host}.worker.ready", false))
            {
                await Task.Delay(20);
            }

            Console.Out.WriteLine("ready");
            Console.Out.Flush();
        }));
        return await app.RunAsync();
    }
}
