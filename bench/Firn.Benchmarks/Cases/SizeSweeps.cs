using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

/// <summary>S1: B1 (throughput) over message sizes, Firn vs raw; byte-array messages.</summary>
internal sealed class S1ThroughputSweep(IReadOnlyList<int> sizes) : BenchCase
{
    public override string Id => "S1";

    public override string Title => "size sweep of B1 (throughput)";

    public override string Description => "byte[] messages of each size, child → main";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
        [.. sizes.SelectMany(s => new MetricInfo[] { new($"mb_per_s@{s}", Format.Size(s), "MB/s", true), new($"msgs_per_s@{s}", Format.Size(s), "msg/s", true) })];

    /// <summary>At every size of 64 KiB or more, at least half of raw's MB/s.</summary>
    public override IReadOnlyList<Target> Targets { get; } =
        [.. sizes.Where(s => s >= 64 * 1024).Select(s => Target.AtLeast("S1", $"S1 throughput at {Format.Size(s)} vs raw", new("S1", "firn", $"mb_per_s@{s}"), new("S1", "raw", $"mb_per_s@{s}"), 0.5))];

    public override TimeSpan RunTimeout(BenchSettings settings) => (sizes.Count * settings.SizeTimeout) + settings.RunTimeout;

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
        [new FirnThroughput(context, Id, senders: 1, sizes), new RawThroughput(context, sizes)];
}

/// <summary>S2: B2 (round trip) over message sizes, Firn vs raw; byte-array messages.</summary>
internal sealed class S2RoundTripSweep(IReadOnlyList<int> sizes) : BenchCase
{
    public override string Id => "S2";

    public override string Title => "size sweep of B2 (round trip)";

    public override string Description => "byte[] ping-pong of each size; MB/s = 2 × size / p50";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
        [.. sizes.SelectMany(s => new MetricInfo[] { new($"p50_us@{s}", Format.Size(s), "µs", false), new($"mb_per_s@{s}", Format.Size(s), "MB/s", true) })];

    /// <summary>At 32 KiB, 256 KiB and 1 MiB (the sizes of 32 KiB or more), a p50 of at most 1.5× raw's.</summary>
    public override IReadOnlyList<Target> Targets { get; } =
        [.. sizes.Where(s => s >= 32 * 1024).Select(s => Target.NoMoreThan("S2", $"S2 round trip p50 at {Format.Size(s)} vs raw", new("S2", "firn", $"p50_us@{s}"), new("S2", "raw", $"p50_us@{s}"), 1.5))];

    public override TimeSpan RunTimeout(BenchSettings settings) => (sizes.Count * settings.SizeTimeout) + settings.RunTimeout;

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
        [new FirnRoundTrip(context, Id, sizes), new RawRoundTrip(context, sizes)];
}
