using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B2 and S2 for Firn: the main process sends a message on "ping", the child's passive handler answers on
/// "pong", and the main process waits for the answer before the next ping. Each round trip is timed.
/// </summary>
/// <param name="metrics">Whether the apps record metrics (false: the "firn-nometrics" contestant).</param>
internal sealed class FirnRoundTrip(BenchContext context, string caseId, IReadOnlyList<int> sizes, bool metrics = true) : FirnContestant(context, metrics)
{
    private readonly string _prefix = caseId.ToLowerInvariant();
    private readonly SizeSweep _sweep = new(context.Settings);

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, [_prefix + "-echo"], metrics: MetricsEnabled);
        await App.Supervisor!.StartAsync(cancellationToken);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var metrics = new Metrics();
        await _sweep.RunAsync(sizes, metrics, RunSizeAsync, RestartAsync, cancellationToken);
        return metrics;

        async Task RunSizeAsync(int size, CancellationToken token)
        {
            var count = size == 0 ? settings.RoundTrips : settings.SweepRoundTrips(size);
            var warm = Math.Min(count, settings.WarmupRoundTrips);
            var ticks = await Task.Factory.StartNew(
                () => size == 0 ? TimeStrings(warm, warmup ? 1 : count) : TimeBytes(size, warm, warmup ? 1 : count),
                token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            if (!warmup)
            {
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
    }

    private long[] TimeStrings(int warm, int count)
    {
        var ping = App.GetChannel<string>(_prefix + "-ping");
        var pong = App.GetChannel<string>(_prefix + "-pong");
        return Time(warm, count, () =>
        {
            ping.Send(Payload.Text64);
            return pong.Receive(FirnApps.ReplyTimeout).Length;
        });
    }

    private long[] TimeBytes(int size, int warm, int count)
    {
        var ping = App.GetChannel<byte[]>(_prefix + "-ping");
        var pong = App.GetChannel<byte[]>(_prefix + "-pong");
        var message = Payload.Bytes(size);
        return Time(warm, count, () =>
        {
            ping.Send(message);
            return pong.Receive(FirnApps.ReplyTimeout).Length;
        });
    }

    /// <summary>Runs <paramref name="warm"/> untimed round trips, then returns the duration of each of <paramref name="count"/> more.</summary>
    internal static long[] Time(int warm, int count, Func<int> roundTrip)
    {
        for (var i = 0; i < warm; i++)
        {
            roundTrip();
        }

        var ticks = new long[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            roundTrip();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        return ticks;
    }
}
