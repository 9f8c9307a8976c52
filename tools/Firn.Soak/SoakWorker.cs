using Firn.Hosting;

namespace Firn.Soak;

/// <summary>
/// A child of the soak: it takes numbered work from the shared "work" channel and reports each number on "done"
/// from its handler (so a number counts only once reported), writes store keys and reports each acknowledged one,
/// serves an RPC method, calls the main process, and counts the main process's publications.
/// </summary>
internal static class SoakWorker
{
    public static async Task RunAsync(FirnProcessContext context)
    {
        var app = context.App;
        var stopping = context.Stopping;
        var done = app.GetChannel<long>("done");
        var acknowledged = app.GetChannel<string>("acknowledged");
        app.Rpc.Register($"{context.ProcessName}.add", (long a, long b) => a + b);
        using var ticks = app.SharedMemory.Subscribe<long>("tick", _ => { });
        app.GetChannel<long>("work").OnReceive(number => done.Send(number));
        context.SignalReady();

        var writer = Task.Run(async () =>
        {
            for (var sequence = 0L; !stopping.IsCancellationRequested; sequence++)
            {
                var key = $"soak:{context.ProcessName}:{Environment.ProcessId}:{sequence}";
                await app.SharedMemory.SetAsync(key, sequence, cancellationToken: stopping);
                await acknowledged.SendAsync(key, stopping);
                await app.Rpc.CallAsync<long>("main.echo", [sequence], stopping);
                await Task.Delay(5, stopping);
            }
        });

        try
        {
            await Task.WhenAll(writer, Task.Delay(Timeout.Infinite, stopping));
        }
        catch (OperationCanceledException)
        {
        }
        catch (Rpc.RpcException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
