using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.OnRedis;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

internal sealed class B2RoundTrip : BenchCase
{
    public override string Id => "B2";

    public override string Title => "round trip, main → child → main";

    public override string Description => "main sends 64 bytes, the child answers on another channel; one round trip at a time, each timed";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("p50_us", "p50", "µs", false),
        new("p99_us", "p99", "µs", false),
        new("mean_us", "mean", "µs", false),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.NoMoreThan("B2", "B2 p50 vs raw ping-pong", new("B2", "firn", "p50_us"), new("B2", "raw", "p50_us"), 1.25),
        Target.NoMoreThan("B2", "B2 p50 vs python-pipe p50", new("B2", "firn", "p50_us"), new("B2", "python-pipe", "p50_us"), 1.0),
        Target.NoMoreThan("B2", "B2 p99 vs Firn's own p50", new("B2", "firn", "p99_us"), new("B2", "firn", "p50_us"), 3),
        Target.NoMoreThan("B2", "B2 p50 metrics on (no listener) vs off", new("B2", "firn", "p50_us"), new("B2", "firn-nometrics", "p50_us"), 1.05),
        Target.NoMoreThan("B2", "B2 firn-python p50 vs python-pipe p50 ≤ 1.5×", new("B2", FirnPython.ContestantName, "p50_us"), new("B2", "python-pipe", "p50_us"), 1.5),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
    [
        new FirnRoundTrip(context, Id, [0]),
        new FirnRoundTrip(context, Id, [0], metrics: false),
        new RawRoundTrip(context, [0]),
        new PythonPipe(context, throughput: false),
        new FirnPython(context, Id, throughput: false),
        new NetMq(context, throughput: false),
        new FirnRedisRoundTrip(context),
        new RedisBenchmark(context, Id),
    ];

    public override IReadOnlyList<RedisRow> RedisRows { get; } =
    [
        new("p50, host A → host B → host A (in memory: main → child → main)", "p50_us", "p50_us", "PING -P 1: one Redis round trip; a message between hosts takes at least one, a ping-pong two", "p50_us"),
        new("p99", "p99_us", "p99_us", "PING -P 1, p99", "p99_us"),
    ];
}
