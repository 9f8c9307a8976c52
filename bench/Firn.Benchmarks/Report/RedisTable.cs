using System.Text;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.OnRedis;

namespace Firn.Benchmarks.Report;

/// <summary>
/// The report's "Redis backend" table: for each row of B1–B4 (<see cref="BenchCase.RedisRows"/>), Firn on Redis, the
/// redis-benchmark reference and in-memory Firn, medians from the same run, and the ratios: what going distributed costs.
/// </summary>
internal static class RedisTable
{
    /// <summary>One row with its medians (null: not run, skipped or failed) and its ratios.</summary>
    internal sealed record Line(string Case, RedisRow Row, MetricInfo? Metric, double? OnRedis, double? Reference, double? InMemory)
    {
        /// <summary>firn-redis ÷ redis-benchmark (for a latency, how many reference round trips it takes).</summary>
        public double? OfReference => OnRedis is { } r && Reference is { } b && b > 0 ? r / b : null;

        /// <summary>How many times slower (rates) or longer (latencies) on Redis than in memory; above 1 is the cost.</summary>
        public double? Cost => OnRedis is { } r && InMemory is { } m && r > 0 && m > 0 ? (Metric?.HigherIsBetter == false ? r / m : m / r) : null;
    }

    public static List<Line> Lines(BenchReport report) =>
    [
        .. report.Results.Cases.SelectMany(c => c.Case.RedisRows.Select(row => new Line(
            c.Case.Id,
            row,
            c.Case.Metrics.FirstOrDefault(m => m.Key == row.Metric),
            Median(c.Contestants, Contestant.FirnRedisName, row.Metric),
            row.ReferenceMetric is { } reference ? Median(c.Contestants, RedisBenchmark.ContestantName, reference) : null,
            row.InMemoryMetric is { } inMemory ? Median(c.Contestants, Contestant.FirnName, inMemory) : null))),
    ];

    public static void Append(StringBuilder text, BenchReport report)
    {
        var cases = report.Results.Cases.Where(c => c.Case.RedisRows.Count > 0).ToList();
        var redis = cases.SelectMany(c => c.Contestants).Where(r => r.Contestant is Contestant.FirnRedisName or RedisBenchmark.ContestantName).ToList();
        if (redis.Count == 0 || redis.All(r => r.Skipped == "not selected (--only)"))
        {
            return;
        }

        text.AppendLine().AppendLine("### Redis backend: what going distributed costs").AppendLine();
        var server = redis.Select(r => r.Note).FirstOrDefault(n => n?.Contains("Redis server", StringComparison.Ordinal) == true) is { } note
            ? note[note.IndexOf("Redis server", StringComparison.Ordinal)..]
            : "redis-server";
        text.AppendLine(
            $"**firn-redis**: the case's Firn workload with the main processes on `UseRedis`; B1, B2 and B4 cross two hosts — two main processes, each its own " +
            $"OS process and `FirnApp` with its own `MainProcessName`, on one machine — B3 uses the store of one main process and of its child through it. " +
            $"**redis-benchmark**: Redis alone doing the nearest thing, one connection (`-c 1`). Each contestant has a redis-server of its own, started " +
            $"by the bench and killed at the end: {server} (no persistence; loopback TCP is the floor of a network, so across real machines add the " +
            $"network's round trips). **firn**: Firn in memory, the same case in the same run. Medians; \"cost\" is how many times slower (rates) or " +
            $"longer (latencies) Firn is on Redis than in memory.")
            .AppendLine();
        text.AppendLine("| Case | Figure | Firn on Redis | redis-benchmark | reference | on Redis ÷ reference | Firn in memory | cost of going distributed |")
            .AppendLine("|---|---|---:|---:|---|---:|---:|---:|");
        foreach (var line in Lines(report))
        {
            var unit = line.Metric?.Unit ?? string.Empty;
            var ofReference = line.OfReference is { } o ? Format.Ratio(o) : "—";
            var cost = line.Cost is { } c ? Format.Ratio(c) + (line.Metric?.HigherIsBetter == false ? " longer" : " slower") : "—";
            var onRedis = line.OnRedis is { } r ? Format.Number(r, unit) : Missing(cases, line.Case, Contestant.FirnRedisName);
            text.AppendLine($"| {line.Case} | {line.Row.Label} | {onRedis} | {Show(line.Reference, unit)} | {line.Row.Reference} | {ofReference} | {Show(line.InMemory, unit)} | {cost} |");
        }

        foreach (var result in redis.Where(r => r.Failed is not null || (r.Skipped is { } s && s != "not selected (--only)")))
        {
            text.AppendLine().Append($"{result.Case} {result.Contestant}: {(result.Failed is { } failed ? "**failed**: " + failed : "skipped: " + result.Skipped)}").AppendLine();
        }
    }

    private static string Missing(List<(BenchCase Case, List<ContestantResult> Contestants)> cases, string caseId, string contestant) =>
        cases.FirstOrDefault(c => c.Case.Id == caseId).Contestants?.FirstOrDefault(r => r.Contestant == contestant) switch
        {
            { Failed: not null } => "**failed**",
            { Skipped: not null } => "skipped",
            _ => "—",
        };

    private static double? Median(List<ContestantResult> contestants, string name, string metric) =>
        contestants.FirstOrDefault(c => c.Contestant == name)?.Summarize(metric)?.Median;

    private static string Show(double? value, string unit) => value is { } v ? Format.Number(v, unit) : "—";
}
