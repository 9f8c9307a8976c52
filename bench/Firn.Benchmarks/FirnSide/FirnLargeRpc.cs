using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// S3 for Firn: the main process registers <c>s3.echo(byte[])</c>, which returns its argument; one child calls it with
/// 1 MiB one call at a time, times each call and reports the latencies.
/// </summary>
internal sealed class FirnLargeRpc(BenchContext context) : FirnContestant(context)
{
    public const string Client = "s3-client";

    public const string Method = "s3.echo";

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, [Client]);
        App.Rpc.Register(Method, (byte[] data) => data);
        await App.Supervisor!.StartAsync(cancellationToken);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var calls = warmup ? 1 : settings.LargeRpcCalls;
        await App.CommandAsync(Client, Format.Invariantly($"bigrpc {settings.LargeRpcWarmupCalls} {calls} {BenchSettings.LargeRpcSize}"), cancellationToken);
        var metrics = RoleOutput.Parse(await App.NextReportAsync(cancellationToken));
        return warmup ? [] : metrics;
    }
}
