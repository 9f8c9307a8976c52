using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B6 for Firn: a fresh app per run. Start: from <c>StartAsync</c> (which spawns the child) until a message sent
/// on the child's passive channel comes back on "b6-pong". Restart: from <c>RestartProcessAsync</c> until the
/// same round trip works with the new instance.
/// </summary>
internal sealed class FirnStart(BenchContext context) : Contestant(FirnName)
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        await using var app = FirnApps.CreateMain(context, ["b6-echo"]);
        var clock = Stopwatch.StartNew();
        await app.Supervisor!.StartAsync(cancellationToken);
        var connected = clock.Elapsed;
        await RoundTripAsync(app, cancellationToken);
        var start = clock.Elapsed;

        clock.Restart();
        await app.Supervisor!.RestartProcessAsync("b6-echo", cancellationToken);
        await RoundTripAsync(app, cancellationToken);
        var restart = clock.Elapsed;
        return new Metrics
        {
            ["start_ms"] = start.TotalMilliseconds,
            ["restart_ms"] = restart.TotalMilliseconds,
            ["start_ready_ms"] = connected.TotalMilliseconds,
        };
    }

    private static async Task RoundTripAsync(FirnApp app, CancellationToken cancellationToken)
    {
        await app.GetChannel<object?>("b6-echo-passive").SendAsync("ping", cancellationToken);
        var answer = await app.GetChannel<string>("b6-pong").ReceiveAsync(cancellationToken).AsTask().WaitAsync(FirnApps.ReplyTimeout, cancellationToken);
        if (answer != "ping")
        {
            throw new InvalidOperationException($"Expected 'ping' back, got '{answer}'.");
        }
    }
}
