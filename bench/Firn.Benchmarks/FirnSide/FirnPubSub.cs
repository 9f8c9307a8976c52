using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B5 for Firn: the main process publishes the 64-byte string on topic "b5" as fast as <c>Publish</c> returns,
/// then "END"; each of 4 subscriber children counts what it got and reports on "END". Deliveries per second =
/// messages handled by all subscribers / time from the first publication to the last report. Publications that
/// a subscriber dropped (its buffer full) are counted and shown, never counted as delivered.
/// </summary>
internal sealed class FirnPubSub : FirnContestant
{
    public FirnPubSub(BenchContext context)
        : base(context) =>
        Note = "Publish does not wait for subscribers: a subscription whose 10,000-message buffer is full drops the oldest (counted in 'dropped')";

    public const int Subscribers = 4;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, Enumerable.Range(0, Subscribers).Select(i => $"b5-sub-{i}"), waitForReady: true);
        await App.Supervisor!.StartAsync(cancellationToken);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        await RoundAsync(settings.WarmupMessages / 4, cancellationToken);
        if (warmup)
        {
            return [];
        }

        var (elapsed, delivered, dropped) = await RoundAsync(settings.Publications, cancellationToken);
        return new Metrics
        {
            ["deliveries_per_s"] = delivered / elapsed.TotalSeconds,
            ["dropped"] = dropped,
        };
    }

    private async Task<(TimeSpan Elapsed, long Delivered, long Dropped)> RoundAsync(long publications, CancellationToken cancellationToken)
    {
        var memory = App.SharedMemory;
        var clock = Stopwatch.StartNew();
        await Task.Run(
            () =>
            {
                for (var i = 0L; i < publications; i++)
                {
                    memory.Publish("b5", Payload.Text64);
                }

                memory.Publish("b5", "END");
            },
            cancellationToken);
        long delivered = 0, dropped = 0;
        for (var i = 0; i < Subscribers; i++)
        {
            var report = (await App.NextReportAsync(cancellationToken)).Split(' ');
            delivered += long.Parse(report[0], System.Globalization.CultureInfo.InvariantCulture);
            dropped += long.Parse(report[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (clock.Elapsed, delivered, dropped);
    }
}
