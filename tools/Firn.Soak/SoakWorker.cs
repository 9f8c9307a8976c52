using System.Globalization;

namespace Firn.Soak;

/// <summary>
/// A child of the soak: it takes numbered work from the shared "work" channel and reports each number on "done"
/// from its handler (so a number counts only once reported), writes store keys and reports each acknowledged one,
/// serves an RPC method, calls the main process, and counts the main process's numbered publications, reporting
/// every second on "ticks" which range it saw and how many of them arrived.
/// </summary>
internal static class SoakWorker
{
    public static async Task RunAsync(FirnProcessContext context)
    {
        var app = context.App;
        var stopping = context.Stopping;
        var done = app.GetChannel<long>("done");
        var acknowledged = app.GetChannel<string>("acknowledged");
        var tickReports = app.GetChannel<string>("ticks");
        app.Rpc.Register($"{context.ProcessName}.add", (long a, long b) => a + b);
        var ticks = new TickCounter();
        using var subscription = app.SharedMemory.Subscribe<long>("tick", ticks.Seen);
        app.GetChannel<long>("work").OnReceive(number => done.Send(number));
        context.SignalReady();

        var writer = Task.Run(async () =>
        {
            for (var sequence = 0L; !stopping.IsCancellationRequested; sequence++)
            {
                var key = $"soak:{context.ProcessName}:{Environment.ProcessId}:{sequence}";
                await app.SharedMemory.SetAsync(key, sequence, cancellationToken: stopping);

                // The notice must leave this process before the next write: a kill now would otherwise take it along,
                // and the write, acknowledged but never announced, would go unverified.
                await acknowledged.SendAsync(key, stopping);
                await app.FlushAsync(stopping);
                await app.Rpc.CallAsync<long>("main.echo", [sequence], stopping);
                await Task.Delay(5, stopping);
            }
        });

        var reporter = Task.Run(async () =>
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stopping);
                if (ticks.Report(Environment.ProcessId) is { } report)
                {
                    await tickReports.SendAsync(report, stopping);
                }
            }
        });

        try
        {
            await Task.WhenAll(writer, reporter, Task.Delay(Timeout.Infinite, stopping));
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The publications one instance received: the first and last number and how many arrived (in between, none may be missing).</summary>
    private sealed class TickCounter
    {
        private readonly Lock _gate = new();
        private long _first = -1;
        private long _last = -1;
        private long _received;

        public void Seen(long number)
        {
            lock (_gate)
            {
                if (_first < 0)
                {
                    _first = number;
                }

                _last = Math.Max(_last, number);
                _received++;
            }
        }

        /// <summary>"pid:first:last:received", cumulative for this instance; null before the first publication.</summary>
        public string? Report(int pid)
        {
            lock (_gate)
            {
                return _first < 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{pid}:{_first}:{_last}:{_received}");
            }
        }
    }
}
