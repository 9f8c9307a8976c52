namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// A row of the report's "Redis backend" table: one figure of firn-redis, the redis-benchmark figure that stands for
/// what Redis alone does for it, and the in-memory Firn figure of the same case, all medians from the same run.
/// </summary>
/// <param name="Label">What the figure is, e.g. "child Get, one at a time".</param>
/// <param name="Metric">firn-redis's metric key.</param>
/// <param name="ReferenceMetric">redis-benchmark's metric key, or null when there is no reference.</param>
/// <param name="Reference">What the reference is, e.g. "GET -P 1".</param>
/// <param name="InMemoryMetric">The in-memory "firn" contestant's metric key, or null when it has no counterpart.</param>
internal sealed record RedisRow(string Label, string Metric, string? ReferenceMetric, string Reference, string? InMemoryMetric);
