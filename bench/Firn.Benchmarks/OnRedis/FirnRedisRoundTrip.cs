using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// B2 on Redis: host A's main process (this one) sends 64 bytes on "b2-ping"; host B's main process (another OS
/// process) answers each on "b2-pong" with a passive handler; host A waits for the answer before the next ping. Each
/// round trip is timed.
/// </summary>
internal sealed class FirnRedisRoundTrip(BenchContext context) : FirnRedisContestant(context, "B2")
{
    public const string Ping = "b2-ping";
    public const string Pong = "b2-pong";

    protected override string Layout => "host A's main process (this process) pings, host B's (another OS process) answers on another channel with a passive handler";

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        AppOrNull = CreateApp("host-a", []);
        await App.Supervisor!.StartAsync(cancellationToken);

        // Host A receives on the pong channel (active mode) before host B can answer, as a client waiting for replies would.
        App.GetChannel<string>(Pong).TryReceive(out _);
        Other = await StartOtherHostAsync("host-b", "b2-echo", cancellationToken);
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var ping = App.GetChannel<string>(Ping);
        var pong = App.GetChannel<string>(Pong);
        var firstTimeout = settings.RedisFirstReplyTimeout;
        var ticks = await Task.Factory.StartNew(
            () =>
            {
                ping.Send(Payload.Text64);
                try
                {
                    pong.Receive(firstTimeout);
                }
                catch (TimeoutException)
                {
                    throw NeverArrived("No answer from host B to host A's ping", firstTimeout);
                }

                return FirnRoundTrip.Time(settings.RedisRoundTrips / 10, warmup ? 1 : settings.RedisRoundTrips, () =>
                {
                    ping.Send(Payload.Text64);
                    return pong.Receive(FirnApps.ReplyTimeout).Length;
                });
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return warmup ? new Metrics() : Latency.AddTo(new Metrics(), ticks);
    }
}
