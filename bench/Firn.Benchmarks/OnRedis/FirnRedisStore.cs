using System.Diagnostics;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// B3 on Redis: the store of a main process on Redis, used from the main process itself (Get and Set one at a time,
/// then 64 GetAsync in flight) and from its child through it (the in-memory B3's child role, same counts). No second
/// host: every store call already goes to Redis, whichever host makes it.
/// </summary>
internal sealed class FirnRedisStore(BenchContext context) : FirnRedisContestant(context, "B3")
{
    /// <summary>The child that reads through its main process.</summary>
    public const string Client = "b3r-client";

    protected override string Layout => "the main process (this process) and its child through it; key \"b3\" on Redis";

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        AppOrNull = CreateApp("host-store", [Client]);
        await App.Supervisor!.StartAsync(cancellationToken);
        await App.SharedMemory.SetAsync("b3", Payload.Text64, cancellationToken: cancellationToken);
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var operations = warmup ? 500 : Context.Settings.RedisStoreOps;
        var metrics = new Metrics();
        var memory = App.SharedMemory;
        var (getRate, setRate) = await Task.Factory.StartNew(
            () =>
            {
                if (memory.Get("b3", string.Empty) != Payload.Text64)
                {
                    throw new InvalidOperationException("Key b3 does not hold the 64-byte value.");
                }

                for (var i = 0; i < operations / 10; i++)
                {
                    memory.Get("b3", string.Empty);
                }

                var clock = Stopwatch.StartNew();
                for (var i = 0; i < operations; i++)
                {
                    memory.Get("b3", string.Empty);
                }

                var gets = operations / clock.Elapsed.TotalSeconds;
                clock.Restart();
                for (var i = 0; i < operations; i++)
                {
                    memory.Set("b3-set", Payload.Text64);
                }

                return (gets, operations / clock.Elapsed.TotalSeconds);
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var concurrentRate = await ChildRoles.ConcurrentRateAsync(4 * operations, BenchSettings.InFlight, () => memory.GetAsync("b3", string.Empty, cancellationToken).AsTask());
        metrics["main_get_seq_ops_per_s"] = getRate;
        metrics["main_set_seq_ops_per_s"] = setRate;
        metrics["main_get_conc_ops_per_s"] = concurrentRate;

        var command = Format.Invariantly($"store {operations / 10} {operations} {4 * operations} {BenchSettings.InFlight} {operations}");
        await App.CommandAsync(Client, command, cancellationToken);
        var report = (await App.NextReportAsync(cancellationToken)).Split(' ');
        metrics["get_seq_ops_per_s"] = Format.ParseDouble(report[0]);
        metrics["get_conc_ops_per_s"] = Format.ParseDouble(report[1]);
        metrics["get_seq_async_ops_per_s"] = Format.ParseDouble(report[2]);
        metrics["set_seq_ops_per_s"] = Format.ParseDouble(report[3]);
        return metrics;
    }
}
