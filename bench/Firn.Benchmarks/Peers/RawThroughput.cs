using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B1/S1 "raw" peer: a child process (this program, role <c>raw-send</c>) writes length-prefixed frames of the
/// same message bytes, packed into 256 KiB writes, to a Unix socket; the main process reads and counts them.
/// The timed part starts once the warm-up frames are in.
/// </summary>
internal sealed class RawThroughput(BenchContext context, IReadOnlyList<int> sizes) : Contestant("raw", "no library: length-prefixed frames, batched writes")
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var metrics = new Metrics();
        foreach (var size in sizes)
        {
            var count = size == 0 ? settings.ThroughputMessages : settings.SweepMessages(size);
            var warm = Math.Min(count, settings.WarmupMessages);
            if (warmup)
            {
                count = Math.Min(count, warm);
            }

            var elapsed = await RunOnceAsync(size, warm, count, cancellationToken);
            var bytes = size == 0 ? Payload.Text64Bytes.Length : size;
            var suffix = sizes.Count > 1 || size > 0 ? "@" + bytes : string.Empty; // a sweep of one size (--sizes N) is still a sweep
            metrics["msgs_per_s" + suffix] = count / elapsed.TotalSeconds;
            metrics["mb_per_s" + suffix] = count * (double)bytes / elapsed.TotalSeconds / 1e6;
        }

        return metrics;
    }

    private async Task<TimeSpan> RunOnceAsync(int size, long warm, long count, CancellationToken cancellationToken)
    {
        var path = context.NewSocketPath("raw");
        using var listener = RawFraming.Listen(path);
        var process = context.Processes.StartRole("raw-send", path, size.ToString(CultureInfo.InvariantCulture), (warm + count).ToString(CultureInfo.InvariantCulture));
        using var socket = await listener.AcceptAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var elapsed = await Task.Factory.StartNew(() => Receive(socket, warm, warm + count), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await context.Processes.WaitAsync(process, TimeSpan.FromSeconds(30));
        return elapsed;
    }

    private static TimeSpan Receive(Socket socket, long warm, long total)
    {
        var counter = new RawFrameCounter();
        var buffer = new byte[256 * 1024];
        long started = 0;
        while (counter.Frames < total)
        {
            var read = socket.Receive(buffer);
            if (read == 0)
            {
                throw new InvalidOperationException($"The raw sender stopped after {counter.Frames} of {total} frames.");
            }

            counter.Feed(buffer.AsSpan(0, read));
            if (started == 0 && counter.Frames >= warm)
            {
                started = Stopwatch.GetTimestamp();
            }
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
