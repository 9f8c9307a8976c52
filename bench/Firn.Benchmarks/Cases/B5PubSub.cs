using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Cases;

internal sealed class B5PubSub : BenchCase
{
    public override string Id => "B5";

    public override string Title => "pub/sub, main → 4 subscriber children";

    public override string Description => "the main process publishes 64-byte strings; 4 children subscribe; deliveries = messages handled by subscribers";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("deliveries_per_s", "deliveries", "deliveries/s", true),
        new("dropped", "dropped", "", false),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.AtLeast("B5", "B5 pub/sub deliveries vs B1", new("B5", "firn", "deliveries_per_s"), new("B1", "firn", "msgs_per_s"), 0.25),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) => [new FirnPubSub(context)];
}
