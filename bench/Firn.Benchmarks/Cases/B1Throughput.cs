using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.OnRedis;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

internal sealed class B1Throughput : BenchCase
{
    public override string Id => "B1";

    public override string Title => "throughput, child → main";

    public override string Description => "64-byte string messages from one child to a passive handler in the main process";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("msgs_per_s", "rate", "msg/s", true),
        new("mb_per_s", "payload", "MB/s", true),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.AtLeast("B1", "B1 throughput vs python-pipe", new("B1", "firn", "msgs_per_s"), new("B1", "python-pipe", "msgs_per_s"), 20),
        Target.AtLeast("B1", "B1 throughput vs raw", new("B1", "firn", "msgs_per_s"), new("B1", "raw", "msgs_per_s"), 0.10),
        Target.AtLeast("B1", "B1 metrics on (no listener) vs off", new("B1", "firn", "msgs_per_s"), new("B1", "firn-nometrics", "msgs_per_s"), 0.95),
        Target.AtLeast("B1", "B1 firn-python vs python-pipe ≥ 0.67×", new("B1", FirnPython.ContestantName, "msgs_per_s"), new("B1", "python-pipe", "msgs_per_s"), 0.67),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
    [
        new FirnThroughput(context, Id, senders: 1, sizes: [0]),
        new FirnThroughput(context, Id, senders: 1, sizes: [0], metrics: false),
        new RawThroughput(context, [0]),
        new PythonPipe(context, throughput: true),
        new FirnPython(context, Id, throughput: true),
        new NetMq(context, throughput: true),
        new FirnRedisThroughput(context),
        new RedisBenchmark(context, Id),
    ];

    public override IReadOnlyList<RedisRow> RedisRows { get; } =
    [
        new("rate, host A → host B (in memory: child → main)", "msgs_per_s", "msgs_per_s", "XADD -P 64: one connection appending to a stream, a ceiling", "msgs_per_s"),
    ];
}
