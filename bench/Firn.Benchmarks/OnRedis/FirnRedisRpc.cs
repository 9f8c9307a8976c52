using System.Diagnostics;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// B4 on Redis: host B's main process (another OS process) registers <c>int add(int, int)</c>; host A's main process
/// (this one) calls it one call at a time, then with 64 calls in flight.
/// </summary>
internal sealed class FirnRedisRpc(BenchContext context) : FirnRedisContestant(context, "B4")
{
    public const string Method = "add";

    /// <summary>How long a call may find the method missing right after host B registered it (the registry may take a moment to show it).</summary>
    private static readonly TimeSpan RegistryGrace = TimeSpan.FromSeconds(5);

    protected override string Layout => "host A's main process (this process) calls add served by host B's main process (another OS process)";

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        Other = await StartOtherHostAsync("host-b", "b4-server", cancellationToken);
        AppOrNull = CreateApp("host-a", []);
        await App.Supervisor!.StartAsync(cancellationToken);
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var rpc = App.Rpc;
        await FirstCallAsync(rpc, cancellationToken);
        var (sequential, concurrent) = warmup ? (200, 800) : (settings.RedisRpcCalls, 4 * settings.RedisRpcCalls);
        for (var i = 0; i < sequential / 10; i++)
        {
            await rpc.CallAsync<int>(Method, i, 1);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            await rpc.CallAsync<int>(Method, i, 1);
        }

        var sequentialRate = sequential / clock.Elapsed.TotalSeconds;
        var concurrentRate = await ChildRoles.ConcurrentRateAsync(concurrent, BenchSettings.InFlight, () => rpc.CallAsync<int>(Method, 1, 2));
        return warmup ? new Metrics() : new Metrics { ["seq_calls_per_s"] = sequentialRate, ["conc_calls_per_s"] = concurrentRate };
    }

    /// <summary>The first call of a run, bounded by the first-reply timeout: a method that never shows up fails the case with its error.</summary>
    private async Task FirstCallAsync(RpcEndpoint rpc, CancellationToken cancellationToken)
    {
        var timeout = Context.Settings.RedisFirstReplyTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await rpc.CallAsync<int>(Method, [1, 2], timeout, cancellationToken) != 3)
                {
                    throw new InvalidOperationException("add(1, 2) on host B did not return 3.");
                }

                return;
            }
            catch (RpcMethodNotFoundException) when (clock.Elapsed < RegistryGrace)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (RpcMethodNotFoundException ex)
            {
                throw new InvalidOperationException(
                    Format.Invariantly($"host A cannot find '{Method}', which host B registered {RegistryGrace.TotalSeconds:0} s ago ({ex.Message}). ") +
                    "Does this build carry RPC across hosts on Redis (docs/redis.md)? Where methods stay local to each main process, this case cannot complete.",
                    ex);
            }
            catch (TimeoutException)
            {
                throw NeverArrived("No answer from host B to host A's call", timeout);
            }
        }
    }
}
