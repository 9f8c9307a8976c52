using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

internal sealed class B6Start : BenchCase
{
    public override string Id => "B6";

    public override string Title => "child start and restart";

    public override string Description => "Firn: spawn until a message round-trips on the child's channels; restart on request until the new instance answers. Yardstick: a bare .NET process until it printed a line";

    /// <summary>A start takes a fraction of a second and a stray neighbour can double it: three times the runs.</summary>
    public override int RunsFactor => 3;

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("start_ms", "start", "ms", false),
        new("restart_ms", "restart", "ms", false),
        new("start_ready_ms", "StartAsync alone (spawn to ready)", "ms", false),
        new("exit_ms", "start to exit", "ms", false),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.NoMoreThan("B6", "B6 start vs bare dotnet hello", new("B6", "firn", "start_ms"), new("B6", "dotnet-hello", "start_ms"), 1.5),
        Target.NoMoreThan("B6", "B6 restart vs bare dotnet hello", new("B6", "firn", "restart_ms"), new("B6", "dotnet-hello", "start_ms"), 2),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) => [new FirnStart(context), new DotnetHello(context)];
}
