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

    /// <summary>Sizes of a sweep that failed (the first error of each); the contestant's other sizes have figures.</summary>
    public SortedDictionary<int, string> FailedSizes { get; } = [];

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

        foreach (var (size, error) in metrics.FailedSizes)
        {
            FailedSizes.TryAdd(size, error);
        }
    }

    /// <summary>The error of the size a metric such as "p50_us@1048576" belongs to, if that size failed.</summary>
    public string? FailureOf(string metric)
    {
        var at = metric.LastIndexOf('@');
        return at >= 0 && int.TryParse(metric.AsSpan(at + 1), System.Globalization.CultureInfo.InvariantCulture, out var size) && FailedSizes.TryGetValue(size, out var error)
            ? error
            : null;
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
            whyMissing = result.FailureOf(reference.Metric) is { } error ? $"{reference.Contestant} failed at this size: {error}" : $"{reference} has no figure";
            return null;
        }

        return summary.Value.Median;
    }
}
