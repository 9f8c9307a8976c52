using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.OnRedis;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Cases;

internal sealed class B3Store : BenchCase
{
    public override string Id => "B3";

    public override string Title => "store Get from a child (B3 sequential, B3b concurrent)";

    public override string Description => "one child reads a 64-byte value: one Get at a time, then 64 in flight (redis: -P 1 and -P 32)";

    public override IReadOnlyList<MetricInfo> Metrics { get; } =
    [
        new("get_seq_ops_per_s", "sequential", "ops/s", true),
        new("get_conc_ops_per_s", "concurrent", "ops/s", true),
        new("get_seq_async_ops_per_s", "sequential, awaited GetAsync", "ops/s", true),
        new("set_seq_ops_per_s", "SET sequential", "ops/s", true),
        new("main_get_seq_ops_per_s", "main process: Get sequential", "ops/s", true),
        new("main_get_conc_ops_per_s", "main process: 64 GetAsync in flight", "ops/s", true),
        new("main_set_seq_ops_per_s", "main process: Set sequential", "ops/s", true),
    ];

    public override IReadOnlyList<Target> Targets { get; } =
    [
        Target.AtLeast("B3", "B3 sequential Get vs redis -P 1", new("B3", "firn", "get_seq_ops_per_s"), new("B3", "redis", "get_seq_ops_per_s"), 1.2),
        Target.AtLeast("B3", "B3b 64 Gets in flight vs redis -P 32", new("B3", "firn", "get_conc_ops_per_s"), new("B3", "redis", "get_conc_ops_per_s"), 1.0),
    ];

    public override IReadOnlyList<Contestant> CreateContestants(BenchContext context) =>
        [new FirnStore(context), new Peers.Redis(context), new FirnRedisStore(context), new RedisBenchmark(context, Id)];

    public override IReadOnlyList<RedisRow> RedisRows { get; } =
    [
        new("child Get, one at a time", "get_seq_ops_per_s", "get_seq_ops_per_s", "GET -P 1", "get_seq_ops_per_s"),
        new("child Get, 64 in flight", "get_conc_ops_per_s", "get_conc_ops_per_s", "GET -P 64", "get_conc_ops_per_s"),
        new("child Set, one at a time", "set_seq_ops_per_s", "set_seq_ops_per_s", "SET -P 1", "set_seq_ops_per_s"),
        new("main process Get, one at a time", "main_get_seq_ops_per_s", "get_seq_ops_per_s", "GET -P 1", null),
        new("main process Get, 64 in flight", "main_get_conc_ops_per_s", "get_conc_ops_per_s", "GET -P 64", null),
        new("main process Set, one at a time", "main_set_seq_ops_per_s", "set_seq_ops_per_s", "SET -P 1", null),
    ];
}
