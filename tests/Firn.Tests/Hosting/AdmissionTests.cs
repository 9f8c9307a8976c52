using System.Diagnostics;
using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>
/// Admission at accept time: a program of the same user that is not a child being started is closed at once and
/// takes no handshake slot, so it cannot stop real children from starting or restarting.
/// </summary>
public sealed class AdmissionTests
{
    /// <summary>More than the 64 slots that unauthenticated connections from anyone used to share.</summary>
    private const int StrangerConnections = 100;

    /// <summary>Long, so that a stranger's connection closed within the test was refused, not timed out.</summary>
    private static readonly TimeSpan LongHandshakeTimeout = TestApps.Timeout * 4;

    [Fact]
    public async Task A_stranger_holding_many_idle_connections_cannot_stop_a_child_from_starting_or_restarting()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(CreateApp(log));
        await using var stranger = await StrangerProcess.StartAsync(app.Supervisor!.SocketPath, StrangerConnections);

        // Every one of its connections has been closed and reopened at least once.
        await TestApps.UntilAsync(() => stranger.Closed >= 2 * StrangerConnections, $"the stranger's connections were closed {2 * StrangerConnections} times");

        var watch = Stopwatch.StartNew();
        await app.Supervisor!.RestartProcessAsync("echo").WaitAsync(TestApps.Timeout);
        var requested = watch.Elapsed;
        await AssertEchoWorksAsync(app, "after a requested restart");

        var before = app.Supervisor!.GetProcess("echo");
        Assert.Equal(0, NativeMethods.kill(before.ProcessId!.Value, NativeMethods.SIGKILL));
        watch.Restart();
        await TestApps.UntilAsync(
            () => app.Supervisor!.GetProcess("echo") is { State: ProcessState.Running } now && now.Restarts > before.Restarts,
            "the killed child was restarted automatically");
        var automatic = watch.Elapsed;
        await AssertEchoWorksAsync(app, "after an automatic restart");

        // None of the stranger's connections ever held a slot or waited for its handshake timeout.
        await TestApps.UntilAsync(() => log.Contains(LogLevel.Warning, $"Refused a connection from pid {stranger.Id} (uid "), "the refusal of the stranger is logged");
        Assert.Equal(0, app.Host.PendingConnections);
        var lifetimes = stranger.Lifetimes.Order().ToArray();
        Assert.True(lifetimes[^1] < TestApps.Timeout / 2, $"a stranger's connection lived {lifetimes[^1]}");
        Console.WriteLine(
            $"restart on request {requested.TotalMilliseconds:F0} ms, automatic restart {automatic.TotalMilliseconds:F0} ms; " +
            $"{lifetimes.Length} stranger connections closed, median life {lifetimes[lifetimes.Length / 2].TotalMilliseconds:F0} ms, longest {lifetimes[^1].TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task The_wait_for_spawns_in_flight_ends_once_every_spawn_queued_before_it_has_returned()
    {
        // Admission relies on this: a peer forked by a spawn still in flight is looked up again once it returned.
        using var inSpawn = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = ProcessSpawner.RunAsync(() =>
        {
            inSpawn.Set();
            return release.Wait(TestApps.Timeout);
        });
        var second = ProcessSpawner.RunAsync(() => 2);
        Assert.True(inSpawn.Wait(TestApps.Timeout));

        var waiting = ProcessSpawner.WhenQueuedSpawnsFinished();
        Assert.False(waiting.IsCompleted);

        release.Set();
        await waiting.WaitAsync(TestApps.Timeout);
        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully, "the wait ended before the spawns queued before it returned");
        Assert.True(await first);
    }

    private static FirnApp CreateApp(TestLog log)
    {
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            StartTimeout = TestApps.Timeout,
            HandshakeTimeout = LongHandshakeTimeout,
            HandleSignals = false,
            SocketDirectory = "/tmp",
        });
        app.AddProcess("echo", SupervisedApps.Child(["echo", "in-x", "out-x"], RestartPolicy.Permanent));
        return app;
    }

    private static async Task AssertEchoWorksAsync(FirnApp app, string message)
    {
        var input = app.GetChannel<string>("in-x");
        var output = app.GetChannel<string>("out-x");
        await input.SendAsync(message).AsTask().WaitAsync(TestApps.Timeout);
        Assert.Equal("echo:" + message, await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
    }
}
