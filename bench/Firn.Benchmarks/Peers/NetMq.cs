using System.Diagnostics;
using System.Globalization;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using NetMQ;
using NetMQ.Sockets;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B1/B2 "netmq" peer: NetMQ PUSH/PULL (throughput) and REQ/REP (round trip) between the main process and a
/// child (this program, roles <c>netmq-push</c> / <c>netmq-rep</c>). NetMQ's <c>ipc://</c> transport is TCP on the
/// loopback interface underneath (a port derived from the name), so this peer does not use a Unix socket.
/// </summary>
internal sealed class NetMq(BenchContext context, bool throughput) : Contestant("netmq", "NetMQ 4.0.4.5 " + (throughput ? "PUSH/PULL" : "REQ/REP") + "; its ipc:// is TCP loopback underneath")
{
    private static int s_next;

    public static string NewAddress() => $"ipc://firn-bench-{Environment.ProcessId}-{Interlocked.Increment(ref s_next)}";

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        return throughput
            ? await Task.Factory.StartNew(() => Throughput(settings.WarmupMessages, warmup ? settings.WarmupMessages : settings.ThroughputMessages), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : await Task.Factory.StartNew(() => RoundTrip(settings.WarmupRoundTrips, warmup ? 1 : settings.RoundTrips), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private Metrics Throughput(long warm, long count)
    {
        var address = NewAddress();
        using var pull = new PullSocket();
        pull.Bind(address);
        var process = context.Processes.StartRole("netmq-push", address, (warm + count).ToString(CultureInfo.InvariantCulture));
        for (var i = 0L; i < warm; i++)
        {
            pull.ReceiveFrameBytes();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < count; i++)
        {
            pull.ReceiveFrameBytes();
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        context.Processes.WaitAsync(process, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return new Metrics { ["msgs_per_s"] = count / elapsed, ["mb_per_s"] = count * 64.0 / elapsed / 1e6 };
    }

    private Metrics RoundTrip(int warm, int count)
    {
        var address = NewAddress();
        using var request = new RequestSocket();
        request.Bind(address);
        var process = context.Processes.StartRole("netmq-rep", address);
        var ticks = FirnRoundTrip.Time(warm, count, () =>
        {
            request.SendFrame(Payload.Text64Bytes);
            return request.ReceiveFrameBytes().Length;
        });
        request.SendFrameEmpty();
        context.Processes.WaitAsync(process, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return Latency.AddTo(new Metrics(), ticks);
    }
}
