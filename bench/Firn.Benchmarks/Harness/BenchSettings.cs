namespace Firn.Benchmarks.Harness;

/// <summary>How much work each case does: the full suite, or the quick smoke test that CI runs.</summary>
internal sealed record BenchSettings(bool Quick, int Runs)
{
    /// <summary>When set, only these contestants run (for profiling one side); the others are reported as skipped.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Whether only some cases or contestants run: not the suite, so its results go to a folder that is not committed.</summary>
    public bool Partial { get; init; }

    public static BenchSettings Full(int? runs) => new(false, runs ?? 5);

    public static BenchSettings QuickRun(int? runs) => new(true, runs ?? 2);

    /// <summary>B1/B8: 64-byte messages per timed run (the issue asks for 5 M).</summary>
    public long ThroughputMessages => Quick ? 200_000 : 5_000_000;

    /// <summary>B1: the python-pipe peer is ~30× slower; fewer messages keep its run to a few seconds (a rate does not depend on the count).</summary>
    public long PythonMessages => Quick ? 50_000 : 1_000_000;

    /// <summary>Messages sent before the timed part of each run, so that every process is warm.</summary>
    public long WarmupMessages => Quick ? 20_000 : 200_000;

    /// <summary>B2: timed round trips per run.</summary>
    public int RoundTrips => Quick ? 5_000 : 50_000;

    public int WarmupRoundTrips => Quick ? 1_000 : 5_000;

    /// <summary>B3: store reads per run (sequential; the concurrent part does 4× as many).</summary>
    public int StoreReads => Quick ? 5_000 : 100_000;

    /// <summary>B4: RPC calls per run (sequential; the concurrent part does 4× as many).</summary>
    public int RpcCalls => Quick ? 2_000 : 50_000;

    /// <summary>B3b and B4: requests in flight at once.</summary>
    public static int InFlight => 64;

    /// <summary>B5: publications per run (each reaches 4 subscribers).</summary>
    public long Publications => Quick ? 50_000 : 1_000_000;

    /// <summary>B7: idle children whose memory is measured (the target speaks of 32).</summary>
    public int IdleChildren => Quick ? 8 : 32;

    /// <summary>B7: channels a child opens.</summary>
    public int ManyChannels => Quick ? 2_000 : 10_000;

    /// <summary>B7: how long the slow receiver runs.</summary>
    public TimeSpan SlowReceiverDuration => Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(20);

    /// <summary>B8: children sending to the main process at once.</summary>
    public int FanInChildren => Quick ? 8 : 32;

    /// <summary>When set (--sizes), the sweep runs only these sizes (for profiling).</summary>
    public IReadOnlyList<int>? Sizes { get; init; }

    /// <summary>The size sweep (S1/S2): message sizes in bytes.</summary>
    public IReadOnlyList<int> SweepSizes => Sizes ?? (Quick ? [8, 4096, 1 << 20] : [8, 64, 512, 4096, 32768, 262144, 1 << 20]);

    /// <summary>S1: messages per size, aiming at a fixed volume of bytes per size.</summary>
    public long SweepMessages(int size) =>
        Math.Clamp((Quick ? 16L << 20 : 512L << 20) / size, Quick ? 50 : 400, Quick ? 50_000 : 1_000_000);

    /// <summary>S2: round trips per size.</summary>
    public int SweepRoundTrips(int size) => (int)Math.Clamp((Quick ? 8L << 20 : 128L << 20) / size, Quick ? 50 : 200, Quick ? 2_000 : 20_000);

    /// <summary>S1/S2: the longest one size of a sweep may take in one run before it counts as failed (the sweep goes on).</summary>
    public TimeSpan SizeTimeout => Quick ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(90);

    /// <summary>S3: the size of the arguments and of the result of each call.</summary>
    public static int LargeRpcSize => 1 << 20;

    /// <summary>S3: timed calls per run.</summary>
    public int LargeRpcCalls => Quick ? 20 : 400;

    /// <summary>S3: untimed calls before them.</summary>
    public int LargeRpcWarmupCalls => Quick ? 5 : 40;

    /// <summary>B1 on Redis: messages per timed run (a rate does not depend on the count; the backend is far slower than a Unix socket).</summary>
    public long RedisMessages => Quick ? 20_000 : 200_000;

    /// <summary>B1 on Redis: untimed messages before them.</summary>
    public long RedisWarmupMessages => Quick ? 2_000 : 20_000;

    /// <summary>B2 on Redis: timed round trips per run.</summary>
    public int RedisRoundTrips => Quick ? 1_000 : 10_000;

    /// <summary>B3 on Redis: store operations per run and kind (Get, Set; the concurrent part does 4× as many).</summary>
    public int RedisStoreOps => Quick ? 2_000 : 20_000;

    /// <summary>B4 on Redis: RPC calls per run (sequential; the concurrent part does 4× as many).</summary>
    public int RedisRpcCalls => Quick ? 1_000 : 10_000;

    /// <summary>
    /// On Redis: how long the first message or call of a run may take to cross to the other host before the case fails
    /// (on a build whose channels or RPC do not cross hosts, it never arrives).
    /// </summary>
    public TimeSpan RedisFirstReplyTimeout => Quick ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(30);

    /// <summary>The longest one run of one contestant may take before it counts as hung.</summary>
    public TimeSpan RunTimeout => Quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromMinutes(5);
}
