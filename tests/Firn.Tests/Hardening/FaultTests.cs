using System.Diagnostics;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Xunit.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>Tests that count the test process's own file descriptors run alone, so no other test opens or closes any meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Runs alone";
}

/// <summary>Crashes and orphans: a child killed mid-frame, and a thousand children started from threads that exit.</summary>
[Collection(RunsAlone.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    /// <summary>The required bound: the main process sees a SIGKILLed child within 100 ms (asserted on the median of five kills).</summary>
    private static readonly TimeSpan DetectionBound = TimeSpan.FromMilliseconds(100);

    /// <summary>What any one kill may take on a loaded machine: a stall, not a missed detection.</summary>
    private static readonly TimeSpan DetectionCeiling = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_child_killed_mid_frame_fails_its_calls_within_100_ms_and_leaks_no_descriptor_or_memory()
    {
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("blaster", SupervisedApps.Child(["blast", "blast"], RestartPolicy.Permanent, maxRestarts: 20, waitForReadySignal: true)));
        long received = 0;
        app.GetChannel<byte[]>("blast").OnReceive(_ => Interlocked.Increment(ref received));
        await app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        Assert.StartsWith("pid=", await app.NextReportAsync("blaster"), StringComparison.Ordinal);

        // One cycle first, so everything the runtime opens lazily for a kill and a restart exists before the count.
        await KillMidStreamAsync(app, () => Interlocked.Read(ref received));
        var descriptors = OpenDescriptors();
        var memory = GC.GetTotalMemory(forceFullCollection: true);

        var detections = new List<double>();
        for (var cycle = 0; cycle < 5; cycle++)
        {
            detections.Add(await KillMidStreamAsync(app, () => Interlocked.Read(ref received)));
        }

        output.WriteLine($"a pending call failed {string.Join(", ", detections.Select(d => $"{d:F1}"))} ms after SIGKILL");

        // The requirement: the main process sees a SIGKILLed child within 100 ms. It is a correctness bound, not a speed
        // benchmark, but one kill on a loaded 2-core machine can wait tens of milliseconds for a core (the read thread that
        // sees the end of the stream, then the continuation that fails the call). So the median of the five kills must meet
        // 100 ms (one stall cannot move a median of five; a design that noticed a death by polling or a timeout would miss
        // it every time), and every single kill must be seen within 2 s, twenty times the bound, which only a detection
        // that waited for something other than the socket closing (a heartbeat, a timer) could exceed.
        var median = detections.Order().ElementAt(detections.Count / 2);
        Assert.True(median <= DetectionBound.TotalMilliseconds, $"the median detection was {median:F1} ms; the bound is {DetectionBound.TotalMilliseconds} ms");
        Assert.All(detections, d => Assert.True(d <= DetectionCeiling.TotalMilliseconds, $"one detection took {d:F1} ms; even a stalled one must stay within {DetectionCeiling.TotalMilliseconds} ms"));
        await TestApps.UntilAsync(() => OpenDescriptors() <= descriptors, $"the descriptors return to {descriptors} (now {OpenDescriptors()})");
        var grown = GC.GetTotalMemory(forceFullCollection: true) - memory;
        Assert.True(grown < 32 * 1024 * 1024, $"the managed heap grew by {grown} bytes over five kills");
        Assert.Equal(6, app.Supervisor!.GetProcess("blaster").Restarts);
    }

    [Fact]
    public async Task A_thousand_commands_started_from_threads_that_exit_are_not_killed_by_the_parent_death_signal()
    {
        const int count = 1000;
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory);
        for (var i = 0; i < count; i++)
        {
            app.AddCommand($"sleeper-{i}", new ProcessOptions
            {
                Executable = "sleep",
                Arguments = ["600"],
                Restart = RestartPolicy.Temporary,
                Output = ProcessOutput.Inherit,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            });
        }

        await app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => app.Supervisor!.StopProcessAsync($"sleeper-{i}"))).WaitAsync(TestApps.Timeout);

        // Start them again from fifty short-lived threads (as thread-pool threads are, when the pool retires them), and let
        // every thread end: Linux sends a child its parent-death signal when the thread that forked it exits.
        var threadIds = new int[50];
        var threads = Enumerable.Range(0, threadIds.Length).Select(t => new Thread(() =>
        {
            threadIds[t] = Environment.CurrentManagedThreadId;
            for (var i = t; i < count; i += threadIds.Length)
            {
                app.Supervisor!.StartProcessAsync($"sleeper-{i}").GetAwaiter().GetResult();
            }
        })).ToArray();
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());
        var pids = Enumerable.Range(0, count).Select(i => app.Supervisor!.GetProcess($"sleeper-{i}").ProcessId!.Value).ToArray();

        // The signal is sent as the thread exits; a negative check needs a moment for a signalled process to die.
        await TestApps.UntilAsync(() => threads.All(t => !t.IsAlive), "every starting thread has ended");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var dead = pids.Where(pid => !SupervisedApps.IsAlive(pid)).ToArray();
        Assert.Empty(dead);
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess($"sleeper-{i}").State));
    }

    private static async Task<double> KillMidStreamAsync(FirnApp app, Func<long> received)
    {
        var before = received();
        await TestApps.UntilAsync(() => received() > before + 8, "the blaster is streaming");
        var call = app.Rpc.CallAsync("blaster.hang", [], Timeout.InfiniteTimeSpan);
        await TestApps.UntilAsync(() => app.RpcTable.Count == 1, "the call is in flight");
        var watch = Stopwatch.StartNew();
        Process.GetProcessById(app.Supervisor!.GetProcess("blaster").ProcessId!.Value).Kill();
        await Assert.ThrowsAsync<RpcProcessExitedException>(() => call.WaitAsync(TestApps.Timeout));
        var elapsed = watch.Elapsed.TotalMilliseconds;
        Assert.StartsWith("pid=", await app.NextReportAsync("blaster"), StringComparison.Ordinal);
        return elapsed;
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
