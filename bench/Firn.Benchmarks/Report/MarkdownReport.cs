using System.Text;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Report;

/// <summary>The Markdown report: targets with ratios and pass/miss marks, every figure with its range, the size sweeps, what was skipped.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        var text = new StringBuilder();
        var machine = report.Machine;
        text.AppendLine("## Firn benchmark results").AppendLine();
        text.AppendLine(Format.Invariantly($"{(machine.Quick ? "**Quick smoke test** (small counts; figures not comparable with a full run)" : report.Settings.Partial ? "**Partial run** (some cases or contestants only)" : "Full run")}, {machine.StartedUtc:yyyy-MM-dd HH:mm} UTC, {report.Elapsed.TotalMinutes:0.0} min. "))
            .AppendLine(Format.Invariantly($"Machine: {machine.Summary}. Each case: {machine.Runs} runs per contestant (B6: {3 * machine.Runs}), alternating Firn and its peers run by run; figures are the median (min–max) of the runs; ratios are of medians from this run."))
            .AppendLine();

        text.AppendLine("### Targets").AppendLine();
        text.AppendLine("| Case | Target | Firn | Compared with | Ratio | Goal | Result |").AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var outcome in report.Outcomes)
        {
            var target = outcome.Target;
            var firn = outcome.Numerator is { } n ? report.Figure(target.Numerator, n) : "—";
            var other = target.Denominator is null ? "—" : outcome.Denominator is { } d ? $"{report.Figure(target.Denominator, d)} ({Who(target.Denominator, target.Case)})" : Who(target.Denominator, target.Case);
            var ratio = outcome.Ratio is { } r ? (target.Denominator is null ? report.Figure(target.Numerator, r) : Format.Ratio(r)) : "—";
            var result = outcome.Met switch
            {
                true => "✅ met",
                false => "❌ missed",
                null => $"⏭ not run: {outcome.NotRun}",
            };
            text.AppendLine($"| {target.Case} | {target.Label} | {firn} | {other} | {ratio} | {report.Goal(target)} | {result} |");
        }

        RedisTable.Append(text, report);
        text.AppendLine().AppendLine("### Figures").AppendLine();
        text.AppendLine("| Case | Contestant | Metric | Median | Min – max | Notes |").AppendLine("|---|---|---|---:|---:|---|");
        foreach (var (benchCase, contestants) in report.Results.Cases.Where(c => c.Case.Id is not ("S1" or "S2")))
        {
            foreach (var result in contestants)
            {
                if (!result.HasFigures)
                {
                    var why = result.Skipped is { } skipped ? $"skipped: {skipped}" : $"**failed**: {result.Failed}";
                    text.AppendLine($"| {benchCase.Id} | {result.Contestant} | — | — | — | {Escape(why)} |");
                    continue;
                }

                var first = true;
                foreach (var metric in benchCase.Metrics)
                {
                    if (result.Summarize(metric.Key) is not { } s)
                    {
                        continue;
                    }

                    var notes = first ? Escape(result.Note ?? string.Empty) : string.Empty;
                    text.AppendLine($"| {benchCase.Id} | {result.Contestant} | {metric.Label} | {Format.Number(s.Median, metric.Unit)} | {Format.Number(s.Min, metric.Unit)} – {Format.Number(s.Max, metric.Unit)} | {notes} |");
                    first = false;
                }
            }
        }

        AppendSweeps(text, report);
        return text.ToString();
    }

    private static void AppendSweeps(StringBuilder text, BenchReport report)
    {
        var s1 = report.Results.Cases.FirstOrDefault(c => c.Case.Id == "S1");
        var s2 = report.Results.Cases.FirstOrDefault(c => c.Case.Id == "S2");
        if (s1.Case is null && s2.Case is null)
        {
            return;
        }

        text.AppendLine().AppendLine("### Message sizes (byte[] messages; medians)").AppendLine();
        text.AppendLine("| Size | S1 Firn MB/s | S1 raw MB/s | Firn/raw | S2 Firn p50 | S2 raw p50 | Firn/raw | S2 Firn MB/s |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in report.Settings.SweepSizes)
        {
            var firnRate = Median(s1.Contestants, "firn", $"mb_per_s@{size}");
            var rawRate = Median(s1.Contestants, "raw", $"mb_per_s@{size}");
            var firnP50 = Median(s2.Contestants, "firn", $"p50_us@{size}");
            var rawP50 = Median(s2.Contestants, "raw", $"p50_us@{size}");
            var firnRoundTripRate = Median(s2.Contestants, "firn", $"mb_per_s@{size}");
            var s1Failed = FailedAt(s1.Contestants, size);
            var s2Failed = FailedAt(s2.Contestants, size);
            text.AppendLine($"| {Format.Size(size)} | {s1Failed ?? Show(firnRate, "MB/s")} | {Show(rawRate, "MB/s")} | {RatioOf(firnRate, rawRate)} | {s2Failed ?? Show(firnP50, "µs")} | {Show(rawP50, "µs")} | {RatioOf(firnP50, rawP50)} | {s2Failed ?? Show(firnRoundTripRate, "MB/s")} |");
        }

        foreach (var result in new[] { s1, s2 }.Where(c => c.Case is not null).SelectMany(c => c.Contestants))
        {
            if (!result.HasFigures)
            {
                text.AppendLine().Append($"{result.Case} {result.Contestant}: {(result.Skipped is { } s ? "skipped: " + s : "**failed**: " + result.Failed)}");
            }

            foreach (var (size, error) in result.FailedSizes)
            {
                text.AppendLine().Append($"{result.Case} {result.Contestant} at {Format.Size(size)}: **failed**: {Escape(error)}");
            }
        }

        text.AppendLine();
    }

    private static double? Median(List<ContestantResult>? contestants, string name, string metric) =>
        contestants?.FirstOrDefault(c => c.Contestant == name)?.Summarize(metric)?.Median;

    private static string? FailedAt(List<ContestantResult>? contestants, int size) =>
        contestants?.FirstOrDefault(c => c.Contestant == "firn") is { } firn && firn.FailedSizes.ContainsKey(size) ? "**failed**" : null;

    private static string Show(double? value, string unit) => value is { } v ? Format.Number(v, unit) : "—";

    private static string RatioOf(double? a, double? b) => a is { } x && b is { } y && y > 0 ? Format.Ratio(x / y) : "—";

    private static string Who(MetricRef reference, string targetCase) =>
        reference.Case == targetCase ? reference.Contestant : $"{reference.Case} {reference.Contestant}";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
