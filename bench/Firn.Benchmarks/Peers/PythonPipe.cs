using System.Globalization;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B1/B2 "python-pipe" peer: bench/peers/python_pipe.py, multiprocessing.Pipe with the spawn start method
/// (the original's transport). The Python parent measures and prints its figures.
/// </summary>
internal sealed class PythonPipe(BenchContext context, bool throughput) : Contestant("python-pipe")
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "peers", "python_pipe.py");
    private string? _python;

    public override Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        _python = Tools.Find("python3");
        if (_python is null)
        {
            return Task.FromResult<string?>("python3 not found on PATH");
        }

        if (!File.Exists(Script))
        {
            return Task.FromResult<string?>($"{Script} is missing");
        }

        var count = throughput ? context.Settings.PythonMessages : context.Settings.RoundTrips;
        Note = Tools.Version(_python, "--version") + (throughput ? Format.Invariantly($", {count:N0} messages per run") : string.Empty);
        return Task.FromResult<string?>(null);
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var (warm, count) = throughput
            ? (settings.WarmupMessages / 4, warmup ? settings.WarmupMessages / 4 : settings.PythonMessages)
            : ((long)settings.WarmupRoundTrips, warmup ? 100 : (long)settings.RoundTrips);
        var process = context.Processes.Start(_python!, [Script, throughput ? "thr" : "lat", warm.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture)]);
        return await RoleOutput.ReadAsync(process, context.Processes, settings.RunTimeout, cancellationToken);
    }
}
