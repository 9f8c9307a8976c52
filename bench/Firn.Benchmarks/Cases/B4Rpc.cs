using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.OnRedis;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

internal sealed class B4Rpc : BenchCase
{
    public override string Id => "B4";

    public override string Title => "RPC int Add(int, int) from a child";

    public override string Description => "a child calls Add served by the main process: one call at a time, then 64 in flight";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("seq_calls_per_s", "sequential", "calls/s", true),
        new("conc_calls_per_s", "64 in flight", "calls/s", true),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.AtLeast("B4", "B4 sequential RPC vs streamjsonrpc", new("B4", "firn", "seq_calls_per_s"), new("B4", "streamjsonrpc", "seq_calls_per_s"), 2),
        Target.AtLeast("B4", "B4 64-concurrent RPC vs streamjsonrpc", new("B4", "firn", "conc_calls_per_s"), new("B4", "streamjsonrpc", "conc_calls_per_s"), 10),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
        [new FirnRpc(context), new StreamJsonRpcPeer(context), new FirnRedisRpc(context), new RedisBenchmark(context, Id)];

    public override IReadOnlyList<RedisRow> RedisRows { get; } =
    [
        new("calls, one at a time, host A → host B (in memory: child → main)", "seq_calls_per_s", "seq_calls_per_s", "PING -P 1: a call takes at least two round trips' worth", "seq_calls_per_s"),
        new("calls, 64 in flight", "conc_calls_per_s", "conc_calls_per_s", "PING -P 64", "conc_calls_per_s"),
    ];
}
