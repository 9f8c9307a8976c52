using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// A private <c>redis-server</c> for one Redis contestant of one case (firn-redis or redis-benchmark): on 127.0.0.1 at a
/// free port, in a directory of its own under the run's temp directory, with no persistence; killed at the end.
/// </summary>
/// <remarks>
/// TCP rather than a Unix socket: between machines it is TCP, and loopback TCP is its floor (no network latency), so the
/// figures are what the backend costs before any network. No persistence (<c>--save '' --appendonly no</c>) for speed:
/// "acknowledged means kept" would need <c>appendonly yes</c> and <c>appendfsync always</c>, an fsync per write (docs/redis.md).
/// </remarks>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    /// <summary>How every server of the Redis contestants runs, for the report.</summary>
    public const string Conditions = "TCP 127.0.0.1, --save '' --appendonly no";

    private readonly Process _process;

    private RedisServerProcess(Process process, int port, string version)
    {
        _process = process;
        Port = port;
        Version = version;
    }

    public int Port { get; }

    /// <summary>"Redis server v=7.0.15".</summary>
    public string Version { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => Format.Invariantly($"127.0.0.1:{Port}");

    /// <summary>Why no server can run here (redis-server missing), or null.</summary>
    public static string? Missing => Tools.Find("redis-server") is null
        ? "redis-server not installed (bench/setup.sh installs it with apt-get)"
        : null;

    public static async Task<RedisServerProcess> StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var server = Tools.Find("redis-server") ?? throw new InvalidOperationException(Missing);
        var version = Tools.Version(server, "--version").Split(" sha=")[0];

        // The free port is found by binding port 0 and closing it: another program may take it meanwhile, so try again.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var directory = Directory.CreateDirectory(Path.Combine(context.TempDirectory, Format.Invariantly($"redis-{port}-{attempt}"))).FullName;
            var process = context.Processes.Start(server, [
                "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", directory,
                "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                "--logfile", Path.Combine(directory, "redis.log"),
            ]);
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                if (await PingAsync(port, cancellationToken))
                {
                    return new RedisServerProcess(process, port, version);
                }

                await Task.Delay(50, cancellationToken);
            }

            ChildProcesses.Kill(process);
            await process.WaitForExitAsync(cancellationToken);
            if (attempt == 3)
            {
                throw new InvalidOperationException($"redis-server did not start on 127.0.0.1:{port} (see {directory}/redis.log).");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task<bool> PingAsync(int port, CancellationToken cancellationToken) =>
        Peers.RedisPing.AnswersAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
}
