using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B1, B8 and S1 for Firn: children send to the main process on one channel, which a passive handler in the
/// main process counts. A run tells every sender to send its share, and times until the last message is handled.
/// </summary>
internal sealed class FirnThroughput : FirnContestant
{
    /// <summary>
    /// The main process receives for every sender: a receive buffer of 16,384 messages (the default is 4,096) lets 32
    /// senders (B8) stream without most of their messages waiting in the router first; B1 uses the same, so B8/B1 compares like with like.
    /// </summary>
    public static readonly ChannelOptions ReceiverOptions = new() { ReceiveBufferSize = 16_384 };

    private readonly string _channel;
    private readonly string[] _senders;
    private readonly IReadOnlyList<int> _sizes;
    private readonly SizeSweep _sweep;
    private long _received;
    private long _expected;
    private TaskCompletionSource _done = new();

    /// <param name="sizes">Message sizes to run; 0 is the 64-character string of B1.</param>
    /// <param name="metrics">Whether the apps record metrics (false: the "firn-nometrics" contestant).</param>
    public FirnThroughput(BenchContext context, string caseId, int senders, IReadOnlyList<int> sizes, bool metrics = true)
        : base(context, metrics)
    {
        _channel = caseId.ToLowerInvariant();
        _senders = [.. Enumerable.Range(0, senders).Select(i => $"{_channel}-send-{i}")];
        _sizes = sizes;
        _sweep = new SizeSweep(context.Settings);
        Note = "main process's receive buffer 16,384 messages (default 4,096)";
    }

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        AppOrNull = FirnApps.CreateMain(Context, _senders, metrics: MetricsEnabled);
        await App.Supervisor!.StartAsync(cancellationToken);
        if (_sizes.Contains(0))
        {
            App.GetChannel<string>(_channel, ReceiverOptions).OnReceive(_ => Count());
        }

        if (_sizes.Any(s => s > 0))
        {
            App.GetChannel<byte[]>(_channel + "-bytes", ReceiverOptions).OnReceive(_ => Count());
        }

        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var metrics = new Metrics();
        await _sweep.RunAsync(_sizes, metrics, RunSizeAsync, RestartAsync, cancellationToken);
        return metrics;

        async Task RunSizeAsync(int size, CancellationToken token)
        {
            var count = size == 0 ? settings.ThroughputMessages : settings.SweepMessages(size);
            await RoundAsync(size, Math.Min(count, settings.WarmupMessages), token);
            if (warmup)
            {
                return;
            }

            var elapsed = await RoundAsync(size, count, token);
            var rate = count / elapsed.TotalSeconds;
            var bytes = size == 0 ? Payload.Text64.Length : size;
            var suffix = _sizes.Count > 1 || size > 0 ? "@" + bytes : string.Empty; // a sweep of one size (--sizes N) is still a sweep
            metrics["msgs_per_s" + suffix] = rate;
            metrics["mb_per_s" + suffix] = rate * bytes / 1e6;
        }
    }

    /// <summary>Has every sender send <paramref name="count"/> messages in all; returns the time until the last was handled.</summary>
    private async Task<TimeSpan> RoundAsync(int size, long count, CancellationToken cancellationToken)
    {
        var app = App;
        var share = count / _senders.Length;
        var total = share * _senders.Length;
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _received, 0);
        Volatile.Write(ref _expected, total);
        var channel = size == 0 ? _channel : _channel + "-bytes";
        var clock = Stopwatch.StartNew();
        foreach (var sender in _senders)
        {
            await app.CommandAsync(sender, Format.Invariantly($"send {channel} {size} {share}"), cancellationToken);
        }

        await _done.Task.WaitAsync(FirnApps.ReplyTimeout, cancellationToken);
        return clock.Elapsed;
    }

    private void Count()
    {
        if (Interlocked.Increment(ref _received) == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }
}
