using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B3/B3b "redis" peer: a private <c>redis-server</c> on a Unix socket (no persistence), driven by
/// <c>redis-benchmark -t set,get -d 64 -c 1</c> with <c>-P 1</c> (one request at a time) and <c>-P 32</c>
/// (32 pipelined). The SET runs first so that every GET returns the 64-byte value. Installed by bench/setup.sh.
/// </summary>
internal sealed class Redis(BenchContext context) : Contestant("redis")
{
    private string? _benchmark;
    private string? _socket;
    private Process? _server;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        var server = Tools.Find("redis-server");
        _benchmark = Tools.Find("redis-benchmark");
        if (server is null || _benchmark is null)
        {
            return "redis-server/redis-benchmark not installed (bench/setup.sh installs them with apt-get)";
        }

        _socket = context.NewSocketPath("redis");
        _server = context.Processes.Start(server, ["--port", "0", "--unixsocket", _socket, "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]);
        var deadline = Stopwatch.StartNew();
        while (!await PingAsync(_socket, cancellationToken))
        {
            if (_server.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                return "redis-server did not start";
            }

            await Task.Delay(50, cancellationToken);
        }

        Note = Tools.Version(server, "--version").Split(" sha=")[0] + ", redis-benchmark -c 1, Unix socket";
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var reads = warmup ? 1_000 : context.Settings.StoreReads;
        var sequential = await BenchmarkAsync(reads, pipeline: 1, cancellationToken);
        var pipelined = await BenchmarkAsync(4 * reads, pipeline: 32, cancellationToken);
        return new Metrics
        {
            ["get_seq_ops_per_s"] = sequential["GET"],
            ["get_conc_ops_per_s"] = pipelined["GET"],
            ["set_seq_ops_per_s"] = sequential["SET"],
        };
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            ChildProcesses.Kill(_server);
            await _server.WaitForExitAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<Dictionary<string, double>> BenchmarkAsync(int requests, int pipeline, CancellationToken cancellationToken)
    {
        var process = context.Processes.Start(_benchmark!, ["-s", _socket!, "-t", "set,get", "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", "1", "-P", pipeline.ToString(CultureInfo.InvariantCulture), "-d", "64", "--csv"]);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await context.Processes.WaitAsync(process, context.Settings.RunTimeout);

        // "test","rps","avg_latency_ms",... then "SET","51975.05",...
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(',');
            if (fields.Length > 1 && fields[0] is "\"SET\"" or "\"GET\"")
            {
                rates[fields[0].Trim('"')] = Format.ParseDouble(fields[1].Trim('"'));
            }
        }

        return rates.Count == 2 ? rates : throw new InvalidOperationException($"Unexpected redis-benchmark output: {output}");
    }

    private static Task<bool> PingAsync(string path, CancellationToken cancellationToken) =>
        RedisPing.AnswersAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
}
