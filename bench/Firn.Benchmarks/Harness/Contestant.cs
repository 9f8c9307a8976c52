namespace Firn.Benchmarks.Harness;

/// <summary>
/// One side of a comparison in a case: Firn or a peer. A contestant is prepared once per case (processes or
/// servers it keeps across runs), then run once per repetition, alternating with the other contestants.
/// </summary>
internal abstract class Contestant : IAsyncDisposable
{
    protected Contestant(string name, string? note = null)
    {
        Name = name;
        Note = note;
    }

    public const string FirnName = "firn";

    /// <summary>Firn built the same, with <see cref="FirnAppOptions.EnableMetrics"/> off in every process: the cost of metrics with no listener.</summary>
    public const string FirnNoMetricsName = "firn-nometrics";

    /// <summary>Firn with its main processes on Redis (<c>UseRedis</c>), two hosts where the case crosses them (see OnRedis/).</summary>
    public const string FirnRedisName = "firn-redis";

    /// <summary>"firn", "firn-nometrics", "firn-redis", "raw", "python-pipe", "redis", "redis-benchmark", "streamjsonrpc", "netmq", "dotnet-hello".</summary>
    public string Name { get; }

    /// <summary>What a reader must know about how this contestant ran (shown in the table).</summary>
    public string? Note { get; protected set; }

    /// <summary>Firn itself, in memory or on Redis: its failure fails the case (and the suite's exit code); a peer's is a skip.</summary>
    public bool IsFirn => Name is FirnName or FirnRedisName;

    /// <summary>Gets ready for the runs; returns why the contestant cannot run (it is then skipped), or null.</summary>
    public virtual Task<string?> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// Whether a full suite warms this contestant up with a run of full size (figures discarded): a short warm-up ends
    /// before .NET's tiered compilation has replaced the first, unoptimized code of the hot paths (it waits 100 ms, then
    /// compiles in the background), and the first timed run then measures the compiler. False where every run starts
    /// fresh processes anyway.
    /// </summary>
    public virtual bool WarmsUpWithFullRun => true;

    /// <summary>One run. With <paramref name="warmup"/>, a shorter run whose figures are discarded.</summary>
    public abstract Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
