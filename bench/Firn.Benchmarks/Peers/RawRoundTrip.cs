using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B2/S2 "raw" peer: ping-pong of length-prefixed frames over a Unix socket with blocking reads and writes;
/// the child (role <c>raw-echo</c>) writes every frame back.
/// </summary>
internal sealed class RawRoundTrip(BenchContext context, IReadOnlyList<int> sizes) : Contestant("raw", "no library: blocking ping-pong of length-prefixed frames")
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var path = context.NewSocketPath("echo");
        using var listener = RawFraming.Listen(path);
        var process = context.Processes.StartRole("raw-echo", path);
        var metrics = new Metrics();
        using (var socket = await listener.AcceptAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken))
        {
            foreach (var size in sizes)
            {
                var count = size == 0 ? settings.RoundTrips : settings.SweepRoundTrips(size);
                var warm = Math.Min(count, settings.WarmupRoundTrips);
                var message = size == 0 ? Payload.Text64Bytes : Payload.Bytes(size);
                var frame = new byte[4 + message.Length];
                var reply = new byte[message.Length];
                var ticks = await Task.Factory.StartNew(
                    () => FirnRoundTrip.Time(warm, warmup ? 1 : count, () =>
                    {
                        RawFraming.SendFrame(socket, frame, message);
                        return RawFraming.ReceiveFrame(socket, ref reply);
                    }),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default);
                if (size == 0)
                {
                    Latency.AddTo(metrics, ticks);
                }
                else
                {
                    Latency.AddSweep(metrics, ticks, size);
                }
            }
        }

        await context.Processes.WaitAsync(process, TimeSpan.FromSeconds(30));
        return warmup ? [] : metrics;
    }
}
