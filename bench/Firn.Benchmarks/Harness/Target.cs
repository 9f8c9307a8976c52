namespace Firn.Benchmarks.Harness;

/// <summary>A figure of one contestant in one case: the median of one metric.</summary>
internal sealed record MetricRef(string Case, string Contestant, string Metric)
{
    public override string ToString() => $"{Case} {Contestant} {Metric}";
}

/// <summary>
/// A target of the issue: <c>numerator / denominator</c> (medians of the same run) compared with
/// <see cref="Goal"/>; without a denominator the numerator itself is compared.
/// </summary>
internal sealed record Target(string Case, string Label, MetricRef Numerator, MetricRef? Denominator, double Goal, bool AtMost)
{
    public static Target AtLeast(string @case, string label, MetricRef numerator, MetricRef? denominator, double goal) =>
        new(@case, label, numerator, denominator, goal, AtMost: false);

    public static Target NoMoreThan(string @case, string label, MetricRef numerator, MetricRef? denominator, double goal) =>
        new(@case, label, numerator, denominator, goal, AtMost: true);

    public string GoalText => (AtMost ? "≤ " : "≥ ") + Format.Ratio(Goal, Denominator is not null);
}

/// <summary>A target checked against the figures of one run.</summary>
internal sealed record TargetOutcome(Target Target, double? Numerator, double? Denominator, double? Ratio, string? NotRun)
{
    public bool? Met => Ratio is { } r ? (Target.AtMost ? r <= Target.Goal : r >= Target.Goal) : null;

    /// <summary>How far the figure is from its goal, ≥ 1 when met (for the chart).</summary>
    public double? Score => Ratio is { } r && r > 0 ? (Target.AtMost ? Target.Goal / r : r / Target.Goal) : null;

    public static TargetOutcome Evaluate(Target target, ResultSet results)
    {
        var numerator = results.Median(target.Numerator, out var why);
        if (numerator is null)
        {
            return new(target, null, null, null, why);
        }

        if (target.Denominator is null)
        {
            return new(target, numerator, null, numerator, null);
        }

        var denominator = results.Median(target.Denominator, out why);
        if (denominator is null)
        {
            return new(target, numerator, null, null, why);
        }

        return new(target, numerator, denominator, denominator > 0 ? numerator / denominator : null, null);
    }
}
