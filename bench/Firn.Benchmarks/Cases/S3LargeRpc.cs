using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

/// <summary>S3: RPC with 1 MiB arguments and a 1 MiB result, one call at a time; raw's 1 MiB ping-pong moves the same bytes.</summary>
internal sealed class S3LargeRpc : BenchCase
{
    private static readonly int Size = BenchSettings.LargeRpcSize;

    public override string Id => "S3";

    public override string Title => "RPC with 1 MiB arguments and result";

    public override string Description => "a child calls byte[] Echo(byte[]) served by the main process with 1 MiB, one call at a time; raw: a 1 MiB ping-pong";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new($"p50_us@{Size}", "p50", "µs", false),
        new($"p99_us@{Size}", "p99", "µs", false),
        new($"mb_per_s@{Size}", "MB/s (2 × 1 MiB / p50)", "MB/s", true),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.NoMoreThan("S3", "S3 1 MiB RPC p50 vs raw 1 MiB round trip", new("S3", "firn", $"p50_us@{Size}"), new("S3", "raw", $"p50_us@{Size}"), 1.5),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
        [new FirnLargeRpc(context), new RawRoundTrip(context, [Size]), new StreamJsonRpcEchoPeer(context)];
}
