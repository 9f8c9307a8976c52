using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Cases;

internal sealed class B7Memory : BenchCase
{
    /// <summary>"Bounded" for the slow receiver: the resident set no longer grows in the second half of the run.</summary>
    public const double SlowLateGrowthLimitMb = 4;

    public override string Id => "B7";

    public override string Title => "main-process memory";

    public override string Description => "RSS of a fresh main process: 32 idle children vs none; a child opening 10,000 channels; a fast sender to a slow (1 ms/message) receiver";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("delta_32_children_mb", "+RSS for 32 children", "MB", false),
        new("per_child_kb", "per child", "KB", false),
        new("heap_per_child_kb", "managed heap per child", "KB", false),
        new("gc_committed_delta_mb", "+memory the collector holds committed, 32 children", "MB", false),
        new("threads_no_children", "threads, no child", "", false),
        new("threads_idle_children", "threads, idle children", "", false),
        new("rss_no_children_mb", "RSS, no child", "MB", false),
        new("channels_delta_mb", "+RSS for the channels", "MB", false),
        new("slow_peak_growth_mb", "slow receiver: peak growth", "MB", false),
        new("slow_late_growth_mb", "slow receiver: growth in 2nd half", "MB", false),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.NoMoreThan("B7", "B7 main RSS for 32 idle children (MB)", new("B7", "firn", "delta_32_children_mb"), null, 8),
        Target.NoMoreThan("B7", "B7 slow receiver: RSS growth in 2nd half (MB)", new("B7", "firn", "slow_late_growth_mb"), null, SlowLateGrowthLimitMb),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) => [new FirnMemory(context)];
}
