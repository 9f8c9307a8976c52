using System.Globalization;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// The "redis-benchmark" reference of B1–B4 on Redis: Debian's <c>redis-benchmark</c> (one connection, <c>-c 1</c>)
/// against a server started exactly as firn-redis's (<see cref="RedisServerProcess"/>), in the same run. What each case's
/// figures stand for:
/// <list type="bullet">
/// <item>B1: <c>XADD</c> of one 64-byte field to one stream, 64 pipelined (<c>-P 64</c>): how fast one connection appends
/// to a stream, a ceiling for a channel on Streams (which must also read, acknowledge and deliver each entry).</item>
/// <item>B2: <c>PING</c> one at a time (<c>-t ping -P 1</c>, PING_MBULK): one round trip to Redis. A message between hosts
/// is at least one (the sender's append, then the receiver's read), so a ping-pong is at least two.</item>
/// <item>B3: <c>SET</c>/<c>GET</c> of 64 bytes, one at a time (<c>-P 1</c>) and 64 pipelined (<c>-P 64</c>).</item>
/// <item>B4: <c>PING</c> one at a time and 64 pipelined, as request rates: a call between hosts is at least two round trips'
/// worth (request, reply).</item>
/// </list>
/// </summary>
internal sealed class RedisBenchmark(BenchContext context, string caseId) : Contestant(ContestantName)
{
    public const string ContestantName = "redis-benchmark";

    private string? _benchmark;
    private RedisServerProcess? _server;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        _benchmark = Tools.Find("redis-benchmark");
        if (_benchmark is null || RedisServerProcess.Missing is not null)
        {
            return "redis-server/redis-benchmark not installed (bench/setup.sh installs them with apt-get)";
        }

        _server = await RedisServerProcess.StartAsync(context, cancellationToken);
        var what = caseId switch
        {
            "B1" => "XADD of a 64-byte field to one stream, -P 64",
            "B2" => "PING one at a time (-P 1, PING_MBULK): one Redis round trip",
            "B3" => "SET/GET of 64 bytes, -P 1 and -P 64",
            "B4" => "PING, -P 1 and -P 64 (requests/s)",
            _ => throw new ArgumentException($"No redis-benchmark reference for {caseId}."),
        };
        Note = $"{what}; redis-benchmark -c 1, {_server.Version}, {RedisServerProcess.Conditions}";
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var requests = warmup ? 1_000 : context.Settings.StoreReads;
        switch (caseId)
        {
            case "B1":
                var append = await BenchmarkAsync(["-P", "64", "XADD", "b1", "MAXLEN", "~", "100000", "*", "m", Payload.Text64], 4 * requests, cancellationToken);
                var rate = append["XADD"].Rate;
                return new Metrics { ["msgs_per_s"] = rate, ["mb_per_s"] = rate * Payload.Text64.Length / 1e6 };
            case "B2":
                var ping = (await BenchmarkAsync(["-P", "1", "-t", "ping"], requests, cancellationToken))["PING_MBULK"];
                return new Metrics { ["p50_us"] = ping.P50Us, ["p99_us"] = ping.P99Us, ["mean_us"] = ping.MeanUs };
            case "B3":
                var sequential = await BenchmarkAsync(["-P", "1", "-t", "set,get", "-d", "64"], requests, cancellationToken);
                var pipelined = await BenchmarkAsync(["-P", BenchSettings.InFlight.ToString(CultureInfo.InvariantCulture), "-t", "set,get", "-d", "64"], 4 * requests, cancellationToken);
                return new Metrics
                {
                    ["get_seq_ops_per_s"] = sequential["GET"].Rate,
                    ["set_seq_ops_per_s"] = sequential["SET"].Rate,
                    ["get_conc_ops_per_s"] = pipelined["GET"].Rate,
                };
            default:
                var one = (await BenchmarkAsync(["-P", "1", "-t", "ping"], requests, cancellationToken))["PING_MBULK"];
                var many = (await BenchmarkAsync(["-P", BenchSettings.InFlight.ToString(CultureInfo.InvariantCulture), "-t", "ping"], 4 * requests, cancellationToken))["PING_MBULK"];
                return new Metrics { ["seq_calls_per_s"] = one.Rate, ["conc_calls_per_s"] = many.Rate };
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>Runs redis-benchmark with <c>--csv</c>; returns each test's figures by its first word ("GET", "PING_MBULK", "XADD").</summary>
    private async Task<Dictionary<string, Row>> BenchmarkAsync(string[] test, int requests, CancellationToken cancellationToken)
    {
        string[] arguments = ["-h", "127.0.0.1", "-p", _server!.Port.ToString(CultureInfo.InvariantCulture), "-c", "1", "-n", requests.ToString(CultureInfo.InvariantCulture), "--csv", .. test];
        var process = context.Processes.Start(_benchmark!, arguments);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await context.Processes.WaitAsync(process, context.Settings.RunTimeout);

        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',').Select(f => f.Trim('"')).ToArray();
            if (fields.Length >= 7 && fields[0] != "test")
            {
                rows[fields[0].Split(' ')[0]] = new Row(Format.ParseDouble(fields[1]), 1000 * Format.ParseDouble(fields[2]), 1000 * Format.ParseDouble(fields[4]), 1000 * Format.ParseDouble(fields[6]));
            }
        }

        return rows.Count > 0 ? rows : throw new InvalidOperationException($"Unexpected redis-benchmark output: {output}");
    }

    private sealed record Row(double Rate, double MeanUs, double P50Us, double P99Us);
}
