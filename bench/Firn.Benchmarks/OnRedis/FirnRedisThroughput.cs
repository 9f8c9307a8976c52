using System.Diagnostics;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// B1 on Redis: host A's main process (another OS process) sends 64-byte strings on channel "b1"; host B's main
/// process (this one) receives them with a passive handler and counts. A run times from the command to host A until
/// the last message is handled on host B.
/// </summary>
internal sealed class FirnRedisThroughput(BenchContext context) : FirnRedisContestant(context, "B1")
{
    private const string Channel = "b1";
    private long _received;
    private long _expected;
    private TaskCompletionSource _first = new();
    private TaskCompletionSource _done = new();

    protected override string Layout => "host A's main process (another OS process) sends, host B's (this process) receives with a passive handler; receive buffer 16,384";

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        AppOrNull = CreateApp("host-b", []);
        await App.Supervisor!.StartAsync(cancellationToken);
        App.GetChannel<string>(Channel, FirnThroughput.ReceiverOptions).OnReceive(_ => Count());
        Other = await StartOtherHostAsync("host-a", "b1-sender", cancellationToken);
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        await RoundAsync(settings.RedisWarmupMessages, cancellationToken);
        if (warmup)
        {
            return new Metrics();
        }

        var elapsed = await RoundAsync(settings.RedisMessages, cancellationToken);
        var rate = settings.RedisMessages / elapsed.TotalSeconds;
        return new Metrics { ["msgs_per_s"] = rate, ["mb_per_s"] = rate * Payload.Text64.Length / 1e6 };
    }

    private async Task<TimeSpan> RoundAsync(long count, CancellationToken cancellationToken)
    {
        _first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _received, 0);
        Volatile.Write(ref _expected, count);
        var clock = Stopwatch.StartNew();
        await Other!.SendAsync(Format.Invariantly($"send {Channel} {count}"));
        await FirstFromOtherHostAsync(_first.Task, "No message sent by host A reached host B", cancellationToken);
        await _done.Task.WaitAsync(FirnApps.ReplyTimeout, cancellationToken);
        var elapsed = clock.Elapsed;

        // Host A says when its loop ended; wait for it, so that the next round's command is not queued behind this one.
        await Other.ExpectAsync("@sent", FirnApps.ReplyTimeout, cancellationToken);
        return elapsed;
    }

    private void Count()
    {
        var received = Interlocked.Increment(ref _received);
        if (received == 1)
        {
            _first.TrySetResult();
        }

        if (received == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }
}
