namespace Firn.Benchmarks.Harness;

/// <summary>What happened to one contestant in one case: its samples, or why it did not run.</summary>
internal sealed class ContestantResult(string @case, string contestant, string? note)
{
    public string Case { get; } = @case;

    public string Contestant { get; } = contestant;

    public string? Note { get; set; } = note;

    /// <summary>Why it did not run (a missing tool, a feature not merged yet): never a crash of Firn.</summary>
    public string? Skipped { get; set; }

    /// <summary>Why a run failed; a failed Firn contestant makes the suite exit non-zero.</summary>
    public string? Failed { get; set; }

    public Dictionary<string, List<double>> Samples { get; } = new(StringComparer.Ordinal);

    public bool HasFigures => Samples.Count > 0 && Failed is null;

    public void Add(Metrics metrics)
    {
        foreach (var (key, value) in metrics)
        {
            if (!Samples.TryGetValue(key, out var list))
            {
                Samples[key] = list = [];
            }

            list.Add(value);
        }
    }

    public Summary? Summarize(string metric) =>
        HasFigures && Samples.TryGetValue(metric, out var samples) && samples.Count > 0 ? Summary.Of(samples) : null;
}

/// <summary>Every case's results of one run of the suite.</summary>
internal sealed class ResultSet
{
    public List<(BenchCase Case, List<ContestantResult> Contestants)> Cases { get; } = [];

    public IEnumerable<ContestantResult> All => Cases.SelectMany(c => c.Contestants);

    public ContestantResult? Find(string @case, string contestant) =>
        All.FirstOrDefault(r => r.Case == @case && r.Contestant == contestant);

    /// <summary>The median of a metric, or null with the reason it is missing.</summary>
    public double? Median(MetricRef reference, out string? whyMissing)
    {
        var result = Find(reference.Case, reference.Contestant);
        whyMissing = result switch
        {
            null => $"{reference.Case} was not run",
            { Skipped: { } skipped } => $"{reference.Contestant} skipped: {skipped}",
            { Failed: { } failed } => $"{reference.Contestant} failed: {failed}",
            _ => null,
        };
        if (whyMissing is not null)
        {
            return null;
        }

        var summary = result!.Summarize(reference.Metric);
        if (summary is null)
        {
            whyMissing = $"{reference} has no figure";
            return null;
        }

        return summary.Value.Median;
    }
}
