using System.Collections.Concurrent;
using System.Diagnostics;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Xunit.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>
/// A process that stops reading (SIGSTOP) costs the main process at most its connection buffer, and slows the others'
/// traffic at most <see cref="SlowdownFactor"/>-fold.
/// </summary>
/// <remarks>
/// How the factor is measured: a healthy peer's traffic is timed in pairs of trials, one with the other peer running
/// and one with it stopped (SIGSTOP, and already congested), under the same load offered to it in both (for a
/// subscriber, the very publications the healthy subscriber gets; for a receiver or a callee, a message or a call every
/// millisecond). Only the stopped state differs, so a stopped peer that blocked
/// the main process, made it buffer without bound or search a growing queue would show as a ratio. The ratio of each
/// pair is taken, since both trials of a pair run under the same load from the rest of the machine, and the median of
/// seven pairs is asserted: on a loaded 2-core machine a trial can stall for a core, which moves a ratio or two, not the
/// median. By design the stopped peer costs less than the running one (nothing more is written to it), so the measured
/// ratios sit near or below 1; the documented 2 leaves room for noise, and a real regression (a write that blocks for
/// the stopped peer, an unbounded buffer) shows as many times more.
/// </remarks>
public sealed class OverloadTests(ITestOutputHelper output)
{
    private const int BufferLimit = 8 * 1024 * 1024;

    /// <summary>Past this much queued for a process, nothing more is delivered or published to it and calls to it are refused.</summary>
    private const int CongestionLimit = BufferLimit / 4;

    /// <summary>The documented bound (docs/SECURITY.md, README): a stopped peer slows others' traffic at most this many times.</summary>
    private const double SlowdownFactor = 2.0;

    /// <summary>Trials with the peer running and stopped; the median ratio is asserted.</summary>
    private const int Pairs = 7;

    /// <summary>Healthy round trips per trial.</summary>
    private const int RoundTrips = 20_000;

    [Fact]
    public async Task A_stopped_subscriber_is_skipped_past_its_congestion_limit_and_slows_a_healthy_subscriber_at_most_twofold()
    {
        const int perTrial = 1000;
        const int window = 16;
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["count-subscribe", "load", "1000000000"]), ("healthy", ["echo-subscribe", "load", "echoes"]));
        var echoed = new ConcurrentQueue<int>();

        // Publishing never waits for subscribers. The healthy one echoes each publication's number, and at most 16
        // (256 KiB) may be unanswered, so it never gets near its congestion limit and must get every one.
        using var unanswered = new SemaphoreSlim(window);
        app.GetChannel<int>("echoes").OnReceive(number =>
        {
            echoed.Enqueue(number);
            unanswered.Release();
        });
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        Assert.Equal("ready", await app.NextReportAsync("healthy"));
        var frozenPid = app.Supervisor!.GetProcess("frozen").ProcessId!.Value;
        var data = new string('x', 16 * 1024);
        var published = 0;

        async Task PublishAsync()
        {
            Assert.True(await unanswered.WaitAsync(TestApps.Timeout), "the healthy subscriber stopped answering");
            app.SharedMemory.Publish("load", $"{published++}:{data}");
            Assert.True(app.BufferedBytesFor("frozen") <= BufferLimit, "the frozen child's buffer went past its limit");
        }

        try
        {
            var ratios = await SlowdownsAsync(
                frozenPid,
                async () =>
                {
                    // The same publications reach both subscribers: the healthy one's traffic is the load on the other.
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < perTrial; i++)
                    {
                        await PublishAsync();
                    }

                    // Every one answered: the window is whole again.
                    for (var i = 0; i < window; i++)
                    {
                        Assert.True(await unanswered.WaitAsync(TestApps.Timeout), "the healthy subscriber stopped answering");
                    }

                    unanswered.Release(window);
                    return clock.Elapsed.TotalMilliseconds;
                },
                congestAsync: async () =>
                {
                    while (app.BufferedBytesFor("frozen") <= CongestionLimit)
                    {
                        await PublishAsync();
                    }
                },
                drained: () => app.BufferedBytesFor("frozen") < 64 * 1024,
                checkBounds: () => Assert.True(app.BufferedBytesFor("frozen") <= CongestionLimit + data.Length + 64 * 1024, $"{app.BufferedBytesFor("frozen")} bytes wait for the frozen child"));

            Assert.Equal(Enumerable.Range(0, published), echoed);
            Assert.True(log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "Process 'frozen' is not reading its connection; it misses publications"), "the skipped publications were not logged");
            AssertWithinFactor(ratios);
        }
        finally
        {
            Process.GetProcessById(frozenPid).Kill();
        }
    }

    [Fact]
    public async Task A_stopped_channel_receiver_holds_at_most_its_buffers_and_slows_a_healthy_peer_at_most_twofold()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["discard", "to-frozen"]), ("healthy", ["echo", "in-h", "out-h"]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        var frozenPid = app.Supervisor!.GetProcess("frozen").ProcessId!.Value;
        var toFrozen = app.GetChannel<byte[]>("to-frozen");
        var payload = new byte[4 * 1024];
        var window = app.Options.ChannelSendWindow;
        int Queued() => app.Supervisor!.GetChannels().Single(c => c.Name == "to-frozen").Queued;

        try
        {
            var ratios = await SlowdownsAsync(
                frozenPid,
                () => EchoTrialAsync(app, () => toFrozen.TrySend(payload)),
                congestAsync: async () =>
                {
                    // Deliveries stop at its congestion limit; then the main process's window on the channel fills, and
                    // a sender waits (TrySend refuses) rather than queueing more.
                    while (toFrozen.TrySend(payload))
                    {
                        await Task.Yield();
                    }
                },
                drained: () => Queued() == 0 && app.BufferedBytesFor("frozen") < 64 * 1024,
                checkBounds: () =>
                {
                    Assert.True(app.BufferedBytesFor("frozen") <= CongestionLimit + payload.Length + 64 * 1024, $"{app.BufferedBytesFor("frozen")} bytes wait to be written to the frozen child");
                    Assert.InRange(Queued(), 0, window);
                });

            AssertWithinFactor(ratios);
        }
        finally
        {
            Process.GetProcessById(frozenPid).Kill();
        }
    }

    [Fact]
    public async Task A_stopped_callee_is_refused_at_once_and_slows_a_healthy_peer_at_most_twofold()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["rpc-serve"]), ("healthy", ["echo", "in-h", "out-h"]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        var frozenPid = app.Supervisor!.GetProcess("frozen").ProcessId!.Value;
        var megabyte = new string('y', 1024 * 1024);

        try
        {
            var ratios = await SlowdownsAsync(
                frozenPid,
                () => EchoTrialAsync(app, () => Observe(app.Rpc.CallAsync<string>("frozen.echo", ["x"], TestApps.Timeout))),
                congestAsync: () =>
                {
                    // Calls are queued until its buffer is congested, then refused at once.
                    while (!Observe(app.Rpc.CallAsync<string>("frozen.echo", [megabyte], TestApps.Timeout)).IsFaulted)
                    {
                    }

                    return Task.CompletedTask;
                },
                drained: () => app.RpcTable.Count == 0 && app.BufferedBytesFor("frozen") < 64 * 1024,
                checkBounds: () => Assert.True(app.BufferedBytesFor("frozen") <= CongestionLimit + megabyte.Length + 64 * 1024, $"{app.BufferedBytesFor("frozen")} bytes wait for the frozen child"));

            AssertWithinFactor(ratios);
        }
        finally
        {
            Process.GetProcessById(frozenPid).Kill();
        }
    }

    [Fact]
    public async Task Calls_to_a_stopped_process_are_refused_once_its_buffer_is_congested_and_main_holds_no_more()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["rpc-serve"]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        var pid = app.Supervisor!.GetProcess("frozen").ProcessId!.Value;
        Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGSTOP));
        try
        {
            var megabyte = new string('y', 1024 * 1024);
            var queued = new List<Task<string>>();
            RpcException? refused = null;
            for (var i = 0; i < 3 * BufferLimit / megabyte.Length && refused is null; i++)
            {
                var call = app.Rpc.CallAsync<string>("frozen.echo", [megabyte], TimeSpan.FromSeconds(2));
                if (call.IsFaulted && call.Exception!.InnerException is RpcException error)
                {
                    refused = error;
                }
                else
                {
                    queued.Add(call);
                }
            }

            Assert.NotNull(refused);
            Assert.Contains("Process 'frozen' is not reading its connection fast enough", refused.Message, StringComparison.Ordinal);
            Assert.InRange(queued.Count, 1, (BufferLimit / 4 / megabyte.Length) + 1);
            Assert.True(app.BufferedBytesFor("frozen") <= (BufferLimit / 4) + megabyte.Length + 1024, $"{app.BufferedBytesFor("frozen")} bytes wait for the frozen child");
            foreach (var call in queued)
            {
                await Assert.ThrowsAsync<TimeoutException>(() => call);
            }
        }
        finally
        {
            Process.GetProcessById(pid).Kill();
        }
    }

    /// <summary>
    /// Times <paramref name="trial"/> in <see cref="Pairs"/> pairs: the peer running (resumed, caught up), then stopped
    /// and congested. Returns each pair's ratio, stopped over running, and writes the times to the test output.
    /// </summary>
    private async Task<IReadOnlyList<double>> SlowdownsAsync(int peerPid, Func<Task<double>> trial, Func<Task> congestAsync, Func<bool> drained, Action checkBounds)
    {
        // A first trial warms up (JIT, buffers) and is not counted.
        await trial();
        var ratios = new List<double>();
        var times = new List<string>();
        for (var pair = 0; pair < Pairs; pair++)
        {
            Assert.Equal(0, NativeMethods.kill(peerPid, NativeMethods.SIGCONT));
            await TestApps.UntilAsync(drained, "the resumed peer caught up");
            var running = await trial();

            Assert.Equal(0, NativeMethods.kill(peerPid, NativeMethods.SIGSTOP));
            await congestAsync();
            var stopped = await trial();
            checkBounds();

            ratios.Add(stopped / running);
            times.Add($"{running:F0} -> {stopped:F0} ms");
        }

        output.WriteLine($"healthy traffic with the peer running -> stopped: {string.Join(", ", times)}; ratios {string.Join(", ", ratios.Select(r => $"{r:F2}"))}");
        return ratios;
    }

    /// <summary>The median of the pairs' ratios is within <see cref="SlowdownFactor"/> (see the class remarks for why the median).</summary>
    private static void AssertWithinFactor(IReadOnlyList<double> ratios)
    {
        var median = ratios.Order().ElementAt(ratios.Count / 2);
        Assert.True(median <= SlowdownFactor, $"a stopped peer slowed healthy traffic {median:F2}-fold (median of {string.Join(", ", ratios.Select(r => $"{r:F2}"))}); the documented bound is {SlowdownFactor}");
    }

    /// <summary>
    /// <see cref="RoundTrips"/> strings to the healthy child's echo and back while another task offers the other peer a
    /// steady load (one step, then a 1 ms timer, until the trial ends); returns the milliseconds until the last echo
    /// arrived. The load runs beside the traffic rather than in its loop, so what its steps cost the test itself (a
    /// refused call throws in the caller) is not counted as the healthy peer's slowdown.
    /// </summary>
    private static async Task<double> EchoTrialAsync(FirnApp app, Action loadStep)
    {
        var input = app.GetChannel<string>("in-h");
        var echoes = app.GetChannel<string>("out-h");
        using var done = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                loadStep();
                await Task.Delay(1, CancellationToken.None);
            }
        });

        var clock = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < RoundTrips; i++)
            {
                await input.SendAsync("m");
            }
        });
        for (var i = 0; i < RoundTrips; i++)
        {
            Assert.Equal("healthy:m", await echoes.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        }

        var elapsed = clock.Elapsed.TotalMilliseconds;
        await sending.WaitAsync(TestApps.Timeout);
        await done.CancelAsync();
        await load.WaitAsync(TestApps.Timeout);
        return elapsed;
    }

    /// <summary>Keeps a call's failure (a refusal, a timeout after the test) from going unobserved.</summary>
    private static Task<T> Observe<T>(Task<T> call)
    {
        _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return call;
    }

    private static FirnAppOptions Options() => new()
    {
        ConnectionBufferLimit = BufferLimit,
        MaxMessageSize = 2 * 1024 * 1024,
        HeartbeatTimeout = Timeout.InfiniteTimeSpan,
    };
}
