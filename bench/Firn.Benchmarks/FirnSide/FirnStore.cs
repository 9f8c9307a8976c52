using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B3/B3b for Firn: the main process holds key "b3" (the 64-byte string); one child reads it with
/// <c>Get</c> one call at a time, then with 64 <c>GetAsync</c> calls in flight, then writes key "b3-set" with <c>Set</c>
/// one call at a time, and reports its rates.
/// </summary>
internal sealed class FirnStore(BenchContext context) : FirnContestant(context)
{

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, ["b3-client"]);
        await App.Supervisor!.StartAsync(cancellationToken);
        App.SharedMemory.Set("b3", Payload.Text64);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var (sequential, concurrent) = warmup ? (1_000, 4_096) : (settings.StoreReads, 4 * settings.StoreReads);
        var command = Format.Invariantly($"store {settings.StoreReads / 10} {sequential} {concurrent} {BenchSettings.InFlight} {sequential}");
        await App.CommandAsync("b3-client", command, cancellationToken);
        var report = (await App.NextReportAsync(cancellationToken)).Split(' ');
        return new Metrics
        {
            ["get_seq_ops_per_s"] = Format.ParseDouble(report[0]),
            ["get_conc_ops_per_s"] = Format.ParseDouble(report[1]),
            ["get_seq_async_ops_per_s"] = Format.ParseDouble(report[2]),
            ["set_seq_ops_per_s"] = Format.ParseDouble(report[3]),
        };
    }
}
