using System.Globalization;
using System.Net;
using System.Text;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Report;

/// <summary>
/// A hand-written SVG bar chart of the targets: for each, how far the measured ratio is from its goal
/// (measured ÷ goal for "≥" targets, goal ÷ measured for "≤" ones), on a log scale; 1 = exactly on target.
/// </summary>
internal static class SvgChart
{
    private const int Width = 960;
    private const int LabelWidth = 330;
    private const int PlotWidth = 380;
    private const int Row = 26;
    private const int Top = 64;
    private const double MinScore = 0.01;
    private const double MaxScore = 100;

    public static string Render(BenchReport report)
    {
        var outcomes = report.Outcomes;
        var height = Top + (outcomes.Count * Row) + 48;
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="white"/>""");
        var machine = report.Machine;
        Text(svg, 12, 22, 15, "bold", "start", "Firn vs its targets (ratios of medians from one run; log scale, 1 = on target)");
        Text(svg, 12, 42, 11, "normal", "start", Format.Invariantly($"{(machine.Quick ? "quick smoke test" : "full run")} · {machine.StartedUtc:yyyy-MM-dd} · {machine.Cores} cores · {machine.Runs} runs per case · commit {machine.Commit}"));

        foreach (var tick in new[] { 0.01, 0.1, 1, 10, 100 })
        {
            var x = X(tick);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{x:0.#}" y1="{Top - 8}" x2="{x:0.#}" y2="{Top + (outcomes.Count * Row)}" stroke="{(tick == 1 ? "#333" : "#ddd")}" stroke-width="{(tick == 1 ? 1.5 : 1)}"/>""");
            Text(svg, x, Top + (outcomes.Count * Row) + 16, 11, "normal", "middle", tick.ToString("0.##", CultureInfo.InvariantCulture) + "×");
        }

        Text(svg, LabelWidth + (PlotWidth / 2), Top + (outcomes.Count * Row) + 32, 11, "normal", "middle", "measured ÷ goal (for “≤” goals: goal ÷ measured); right of the line = met");

        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var y = Top + (i * Row);
            Text(svg, LabelWidth - 8, y + 16, 12, "normal", "end", outcome.Target.Label);
            if (outcome.Score is not { } score)
            {
                Text(svg, LabelWidth + 4, y + 16, 11, "italic", "start", "not run: " + outcome.NotRun);
                continue;
            }

            var clamped = Math.Clamp(score, MinScore, MaxScore);
            var end = X(clamped);
            var colour = outcome.Met == true ? "#2e8b57" : "#d9534f";
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y + 5}" width="{Math.Max(1, end - LabelWidth):0.#}" height="{Row - 10}" fill="{colour}"/>""");
            var ratio = outcome.Ratio is { } r ? (outcome.Target.Denominator is null ? report.Figure(outcome.Target.Numerator, r) : Format.Ratio(r)) : "—";
            Text(svg, LabelWidth + PlotWidth + 12, y + 16, 12, "normal", "start", $"{ratio} (goal {report.Goal(outcome.Target)}) {(outcome.Met == true ? "met" : "missed")}");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double X(double score) =>
        LabelWidth + (Math.Log10(score / MinScore) / Math.Log10(MaxScore / MinScore) * PlotWidth);

    private static void Text(StringBuilder svg, double x, double y, int size, string style, string anchor, string text)
    {
        var weight = style == "bold" ? " font-weight=\"bold\"" : string.Empty;
        var italic = style == "italic" ? " font-style=\"italic\" fill=\"#777\"" : string.Empty;
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{x:0.#}" y="{y:0.#}" font-size="{size}" text-anchor="{anchor}"{weight}{italic}>{WebUtility.HtmlEncode(text)}</text>""");
    }
}
