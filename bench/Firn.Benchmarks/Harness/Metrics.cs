namespace Firn.Benchmarks.Harness;

/// <summary>What one run of one contestant measured: metric key → value.</summary>
internal sealed class Metrics : Dictionary<string, double>
{
    public Metrics()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Sizes of a sweep that failed in this run, with their error (the other sizes have figures).</summary>
    public Dictionary<int, string> FailedSizes { get; } = [];
}

/// <summary>A metric a case reports: its key, how to show it, and which direction is better.</summary>
internal sealed record MetricInfo(string Key, string Label, string Unit, bool HigherIsBetter);

/// <summary>Median and range of the samples of one metric.</summary>
internal readonly record struct Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }

        var sorted = samples.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }
}

/// <summary>Percentiles of per-message latencies (Stopwatch ticks).</summary>
internal static class Latency
{
    public static double Percentile(long[] sortedTicks, double percentile)
    {
        var index = (int)Math.Ceiling(percentile / 100 * sortedTicks.Length) - 1;
        return sortedTicks[Math.Clamp(index, 0, sortedTicks.Length - 1)];
    }

    /// <summary>Adds p50, p99 and mean (microseconds) of <paramref name="ticks"/> to <paramref name="metrics"/>.</summary>
    public static Metrics AddTo(Metrics metrics, long[] ticks, string suffix = "")
    {
        Array.Sort(ticks);
        var toMicros = 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
        metrics["p50_us" + suffix] = Percentile(ticks, 50) * toMicros;
        metrics["p99_us" + suffix] = Percentile(ticks, 99) * toMicros;
        metrics["mean_us" + suffix] = ticks.Average() * toMicros;
        return metrics;
    }

    /// <summary>Adds p50/p99/mean for one size of the sweep, and the bytes a round trip moves per second at p50 (both ways).</summary>
    public static Metrics AddSweep(Metrics metrics, long[] ticks, int size)
    {
        var suffix = "@" + size;
        AddTo(metrics, ticks, suffix);
        metrics["mb_per_s" + suffix] = 2.0 * size / metrics["p50_us" + suffix];
        return metrics;
    }
}
