namespace Firn.Benchmarks.Harness;

/// <summary>One benchmark case of the issue (B1 … B8, and the size sweeps S1/S2).</summary>
internal abstract class BenchCase
{
    /// <summary>"B1", "B2", …</summary>
    public abstract string Id { get; }

    public abstract string Title { get; }

    /// <summary>What is measured, for the report.</summary>
    public abstract string Description { get; }

    public abstract IReadOnlyList<MetricInfo> Metrics { get; }

    /// <summary>Runs per contestant = this × the suite's runs; a cheap, noisy case asks for more.</summary>
    public virtual int RunsFactor => 1;

    /// <summary>The longest one run of one contestant may take before it counts as hung.</summary>
    public virtual TimeSpan RunTimeout(BenchSettings settings) => settings.RunTimeout;

    /// <summary>The targets of the issue that this case's figures decide.</summary>
    public virtual IReadOnlyList<Target> Targets => [];

    /// <summary>The rows of the report's "Redis backend" table that this case's figures fill (firn-redis vs redis-benchmark vs firn).</summary>
    public virtual IReadOnlyList<OnRedis.RedisRow> RedisRows => [];

    /// <summary>Firn first, then the peers.</summary>
    public abstract IReadOnlyList<Contestant> CreateContestants(BenchContext context);
}
