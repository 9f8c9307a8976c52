using System.Text.Json;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Report;

/// <summary>The JSON report: conditions, every sample of every metric, and the targets with their ratios.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string Render(BenchReport report)
    {
        var document = new
        {
            machine = report.Machine,
            elapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 1),
            cases = report.Results.Cases.Select(c => new
            {
                id = c.Case.Id,
                title = c.Case.Title,
                description = c.Case.Description,
                contestants = c.Contestants.Select(r => new
                {
                    name = r.Contestant,
                    note = r.Note,
                    skipped = r.Skipped,
                    failed = r.Failed,
                    failedSizes = r.FailedSizes.Count > 0 ? r.FailedSizes.ToDictionary(f => f.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), f => f.Value) : null,
                    metrics = r.HasFigures
                        ? r.Samples.ToDictionary(s => s.Key, s => Summarize(s.Value))
                        : null,
                }),
            }),
            redis = RedisTable.Lines(report).Select(l => new
            {
                @case = l.Case,
                label = l.Row.Label,
                firnRedis = l.OnRedis,
                redisBenchmark = l.Reference,
                reference = l.Row.Reference,
                firnInMemory = l.InMemory,
                onRedisOverReference = l.OfReference,
                cost = l.Cost,
            }),
            targets = report.Outcomes.Select(o => new
            {
                @case = o.Target.Case,
                label = o.Target.Label,
                numerator = o.Target.Numerator.ToString(),
                denominator = o.Target.Denominator?.ToString(),
                goal = o.Target.GoalText,
                numeratorMedian = o.Numerator,
                denominatorMedian = o.Denominator,
                ratio = o.Ratio,
                met = o.Met,
                notRun = o.NotRun,
            }),
        };
        return JsonSerializer.Serialize(document, Options);
    }

    private static object Summarize(List<double> samples)
    {
        var summary = Summary.Of(samples);
        return new { median = summary.Median, min = summary.Min, max = summary.Max, samples };
    }
}
