using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B7 for Firn. Each measurement runs in a fresh main process (this program in the role "memory-main", see
/// <see cref="MemoryMainRole"/>) so that nothing else of the benchmark weighs on its resident set:
/// RSS with no child vs with 32 idle children; RSS before vs after a child opened 10,000 channels; and RSS
/// over time while a child sends 4 KiB messages as fast as it can to a main process that handles one per millisecond.
/// </summary>
internal sealed class FirnMemory : Contestant
{
    private readonly BenchContext _context;

    public FirnMemory(BenchContext context)
        : base(FirnName)
    {
        _context = context;
        var children = context.Settings.IdleChildren;
        Note = children == 32 ? null : Format.Invariantly($"{children} idle children, scaled to 32");
    }

    /// <summary>Every measurement is a fresh main process: a full-size warm-up would only add a 20-second slow-receiver run.</summary>
    public override bool WarmsUpWithFullRun => false;

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = _context.Settings;
        if (warmup)
        {
            await RunMainAsync(["idle", "1"], cancellationToken);
            return [];
        }

        var none = await RunMainAsync(["idle", "0"], cancellationToken);
        var idle = await RunMainAsync(["idle", settings.IdleChildren.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
        var channels = await RunMainAsync(["channels", settings.ManyChannels.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
        var slow = await RunMainAsync(["slow", settings.SlowReceiverDuration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
        var perChild = (idle["rss_mb"] - none["rss_mb"]) / settings.IdleChildren;
        return new Metrics
        {
            ["rss_no_children_mb"] = none["rss_mb"],
            ["rss_idle_children_mb"] = idle["rss_mb"],
            ["per_child_kb"] = perChild * 1024,
            ["heap_per_child_kb"] = (idle["heap_mb"] - none["heap_mb"]) / settings.IdleChildren * 1024,
            ["gc_committed_delta_mb"] = (idle["committed_mb"] - none["committed_mb"]) / settings.IdleChildren * 32,
            ["threads_no_children"] = none["threads"],
            ["threads_idle_children"] = idle["threads"],
            ["delta_32_children_mb"] = perChild * 32,
            ["channels_delta_mb"] = channels["after_mb"] - channels["before_mb"],
            ["slow_peak_growth_mb"] = slow["peak_mb"] - slow["start_mb"],
            ["slow_late_growth_mb"] = slow["end_mb"] - slow["mid_mb"],
            ["slow_received"] = slow["received"],
        };
    }

    private Task<Metrics> RunMainAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var process = _context.Processes.StartRole(["memory-main", _context.TempDirectory, .. arguments]);
        return RoleOutput.ReadAsync(process, _context.Processes, TimeSpan.FromMinutes(3), cancellationToken);
    }
}
