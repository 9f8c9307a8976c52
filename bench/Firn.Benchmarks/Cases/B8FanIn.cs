using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Cases;

internal sealed class B8FanIn(int children) : BenchCase
{
    public override string Id => "B8";

    public override string Title => $"fan-in, {children} children → main";

    public override string Description => $"{children} children send 64-byte strings on one channel at once; B1's message total, split between them";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("msgs_per_s", "total rate", "msg/s", true),
        new("mb_per_s", "payload", "MB/s", true),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.AtLeast("B8", "B8 fan-in total vs B1", new("B8", "firn", "msgs_per_s"), new("B1", "firn", "msgs_per_s"), 0.8),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) => [new FirnThroughput(context, Id, children, [0])];
}
