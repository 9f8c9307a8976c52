using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B4 for Firn: the main process registers <c>add(int, int)</c>; one child calls it one call at a time, then
/// with 64 calls in flight, and reports its rates.
/// </summary>
internal sealed class FirnRpc(BenchContext context) : FirnContestant(context)
{

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, ["b4-client"]);
        App.Rpc.Register("add", (int a, int b) => a + b);
        await App.Supervisor!.StartAsync(cancellationToken);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var (sequential, concurrent) = warmup ? (1_000, 4_096) : (settings.RpcCalls, 4 * settings.RpcCalls);
        var command = Format.Invariantly($"rpc {settings.RpcCalls / 10} {sequential} {concurrent} {BenchSettings.InFlight}");
        await App.CommandAsync("b4-client", command, cancellationToken);
        var report = (await App.NextReportAsync(cancellationToken)).Split(' ');
        return new Metrics
        {
            ["seq_calls_per_s"] = Format.ParseDouble(report[0]),
            ["conc_calls_per_s"] = Format.ParseDouble(report[1]),
        };
    }
}
