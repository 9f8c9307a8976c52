using System.Diagnostics;
using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Firn.Tests.Hosting;

/// <summary>
/// A stop is prompt and bounded: a stop during start-up abandons the remaining starts, children being started or
/// restarted when the app stops end as Exited (never Failed), and hooks or children that ignore the stop cannot hold it
/// past <see cref="FirnAppOptions.StopTimeout"/>.
/// </summary>
public sealed class StopBoundTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_stop_requested_during_start_spawns_no_further_child_runs_no_after_start_hook_and_fails_nothing()
    {
        using var log = new CategoryLog();
        var children = Enumerable.Range(0, 8).Select(i => ($"c{i}", SupervisedApps.Child(["ready-later"], RestartPolicy.Permanent, waitForReadySignal: true))).ToArray();
        await using var app = SupervisedApps.Create(log.Factory, children);
        var afterStart = 0;
        var afterProcessStart = 0;
        app.OnAfterStart(() => Interlocked.Increment(ref afterStart));
        app.OnAfterProcessStart(_ => Interlocked.Increment(ref afterProcessStart));

        var run = app.RunAsync();
        Assert.StartsWith("pid=", await app.NextReportAsync("c0"), StringComparison.Ordinal);
        app.GetChannel<object?>("c0-active").Send("go");
        Assert.Equal("ready", await app.NextReportAsync("c0"));

        // c1 connects and waits for a "go" that never comes; the stop must not wait out its start timeout (60 s here).
        Assert.StartsWith("pid=", await app.NextReportAsync("c1"), StringComparison.Ordinal);
        var clock = Stopwatch.StartNew();
        app.RequestStop();
        Assert.Equal(0, await run.WaitAsync(TestApps.Timeout));
        output.WriteLine($"RunAsync returned {clock.Elapsed.TotalSeconds:F2} s after the stop request");

        Assert.Equal(0, Volatile.Read(ref afterStart));
        Assert.Equal(1, Volatile.Read(ref afterProcessStart));
        Assert.All(app.Supervisor!.GetProcesses().Take(2), p => Assert.Equal(ProcessState.Exited, p.State));
        Assert.All(app.Supervisor!.GetProcesses().Skip(2), p => Assert.Equal(ProcessState.NotStarted, p.State));
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task SIGTERM_while_the_first_child_is_starting_stops_a_real_main_process_at_once_without_spawning_more()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll"));
        info.ArgumentList.Add("slow-start");
        info.Environment.Remove("FIRN_PROCESS_NAME");
        using var main = Process.Start(info)!;
        var lines = new List<string>();
        var starting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            if (line.Contains("state s0 Starting", StringComparison.Ordinal))
            {
                starting.TrySetResult();
            }
        }

        main.OutputDataReceived += (_, e) => OnLine(e.Data);
        main.ErrorDataReceived += (_, e) => OnLine(e.Data);
        main.BeginOutputReadLine();
        main.BeginErrorReadLine();
        try
        {
            // s0 never becomes ready: without the stop, the start would wait its two-minute start timeout.
            await starting.Task.WaitAsync(TestApps.Timeout);
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, NativeMethods.kill(main.Id, NativeMethods.SIGTERM));
            await main.WaitForExitAsync().WaitAsync(TestApps.Timeout);
            output.WriteLine($"the main process exited {clock.Elapsed.TotalSeconds:F2} s after SIGTERM, with code {main.ExitCode}");
            string[] seen;
            lock (lines)
            {
                seen = [.. lines];
            }

            Assert.Equal(0, main.ExitCode);
            Assert.Contains("state s0 Exited", seen);
            Assert.DoesNotContain(seen, line => line.StartsWith("state s1", StringComparison.Ordinal));
            Assert.DoesNotContain("after-start", seen);
            Assert.DoesNotContain(seen, line => line.Contains("Failed", StringComparison.Ordinal) || line.Contains("[ERROR]", StringComparison.Ordinal));
        }
        finally
        {
            if (!main.HasExited)
            {
                main.Kill();
            }
        }
    }

    [Fact]
    public async Task A_stop_while_children_are_restarting_or_in_back_off_ends_them_Exited_with_no_error()
    {
        using var log = new CategoryLog();
        var marker = Path.Combine(Path.GetTempPath(), $"firn-restart-once-{Guid.NewGuid():N}");
        try
        {
            await using var app = SupervisedApps.Create(
                log.Factory,
                ("restarting", SupervisedApps.Child(["restart-once-then-hang", marker], RestartPolicy.Permanent, waitForReadySignal: true)),
                ("backoff", SupervisedApps.Child(["obey"], RestartPolicy.Permanent, restartDelay: TimeSpan.FromMinutes(5), maxRestartDelay: TimeSpan.FromMinutes(5))));
            await TestApps.StartAsync(app);

            // "restarting" asks for its own restart; its new instance connects but never becomes ready.
            app.GetChannel<object?>("restarting-active").Send("restart");
            Assert.StartsWith("pid=", await app.NextReportAsync("restarting"), StringComparison.Ordinal);
            Assert.Equal(ProcessState.Starting, app.Supervisor!.GetProcess("restarting").State);

            // "backoff" crashes and waits five minutes for its restart.
            app.Exit("backoff", await app.NextReportAsync("backoff"), 3);
            await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("backoff").State == ProcessState.Backoff, "backoff is in back-off");

            await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);

            Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(ProcessState.Exited, p.State));
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task Shutdown_hooks_get_tokens_that_fire_at_their_deadline_and_hooks_that_ignore_them_are_abandoned()
    {
        using var log = new CategoryLog();
        using var release = new ManualResetEventSlim();
        var options = StopOptions(log, stopTimeout: TimeSpan.FromSeconds(20), shutdownHookTimeout: TimeSpan.FromSeconds(1));
        await using var app = new FirnApp(options);
        app.AddProcess("a", SupervisedApps.Child(["idle"]));
        var tokensFired = 0;
        async Task AwaitToken(CancellationToken token)
        {
            await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
            Interlocked.Increment(ref tokensFired);
        }

        app.OnBeforeShutdown(AwaitToken);
        app.OnBeforeShutdown(() => release.Wait());                              // blocks its thread, ignores everything
        app.OnBeforeProcessShutdown((_, token) => AwaitToken(token));
        app.OnAfterShutdown(_ => Task.Delay(Timeout.Infinite, CancellationToken.None)); // never returns
        var afterShutdownRan = false;
        app.OnAfterShutdown(() => afterShutdownRan = true);
        await TestApps.StartAsync(app);
        var pid = app.Supervisor!.GetProcess("a").ProcessId!.Value;

        await StopThenReleaseAsync(app, release);
        foreach (var entry in log.Entries)
        {
            output.WriteLine($"{entry.Level} {entry.Category}: {entry.Message}");
        }

        Assert.Equal(2, Volatile.Read(ref tokensFired));
        Assert.True(afterShutdownRan, "the hook after an abandoned one still runs");
        Assert.Equal(2, log.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("was abandoned", StringComparison.Ordinal)));
        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("a").State);
        Assert.Equal(ProcessExitReason.Stopped, app.Supervisor!.GetProcess("a").LastExitReason);
        Assert.False(SupervisedApps.IsAlive(pid));
    }

    [Fact]
    public async Task The_whole_stop_is_bounded_by_StopTimeout_children_that_outlast_it_are_killed_and_what_was_cut_short_is_logged()
    {
        using var log = new CategoryLog();
        var stopTimeout = TimeSpan.FromSeconds(4);
        var options = StopOptions(log, stopTimeout: stopTimeout, shutdownHookTimeout: TimeSpan.FromSeconds(2));
        await using var app = new FirnApp(options);

        // Each would take 60 s + 60 s to be stopped gracefully; the stop's deadline comes first.
        var stubborn = SupervisedApps.Child(["ignore-stop"], shutdownTimeout: TimeSpan.FromSeconds(60), killTimeout: TimeSpan.FromSeconds(60));
        app.AddProcess("first", stubborn);
        app.AddProcess("second", stubborn);
        app.OnBeforeShutdown(_ => Task.Delay(Timeout.Infinite, CancellationToken.None));
        await TestApps.StartAsync(app);
        var pids = new[] { await app.NextReportAsync("first"), await app.NextReportAsync("second") }.Select(r => int.Parse(SupervisedApps.Pid(r), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var clock = Stopwatch.StartNew();
        await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);
        var took = clock.Elapsed;
        output.WriteLine($"StopAsync took {took.TotalSeconds:F2} s with StopTimeout {stopTimeout.TotalSeconds} s");

        // The documented bound is StopTimeout + 2 s; the margin is for a loaded machine's scheduling, not for waiting.
        Assert.True(took < stopTimeout + StopDeadlineGrace + TimeSpan.FromSeconds(3), $"the stop took {took}");
        Assert.All(pids, pid => Assert.False(SupervisedApps.IsAlive(pid), $"pid {pid} is dead"));
        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(ProcessState.Exited, p.State));
        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(ProcessExitReason.Killed, p.LastExitReason));
        Assert.True(log.Contains(LogLevel.Warning, "A before-shutdown hook (for the app) was still running"));
        Assert.True(log.Contains(LogLevel.Warning, "Process 'first' was still running at the app's stop deadline"));
    }

    [Fact]
    public async Task Hooks_after_a_stop_that_reached_its_deadline_still_run_and_the_stop_does_not_throw()
    {
        using var log = new CategoryLog();
        var options = StopOptions(log, stopTimeout: TimeSpan.FromSeconds(4), shutdownHookTimeout: TimeSpan.FromMilliseconds(50));
        await using var app = new FirnApp(options);
        app.AddProcess("stubborn", SupervisedApps.Child(["ignore-stop"], shutdownTimeout: TimeSpan.FromSeconds(60), killTimeout: TimeSpan.FromSeconds(60)));

        // A hook that returns just as its wait is cancelled is done, not an error of the stop: the before-shutdown hooks
        // return the moment their token fires (50 ms), the after-shutdown hooks' tokens have fired before they start.
        const int hooks = 40;
        var ran = 0;
        var returnedOnToken = 0;
        for (var i = 0; i < hooks; i++)
        {
            app.OnBeforeShutdown(async token =>
            {
                await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
                Interlocked.Increment(ref returnedOnToken);
            });
            app.OnAfterShutdown(() => Interlocked.Increment(ref ran));
        }

        await TestApps.StartAsync(app);
        Assert.StartsWith("pid=", await app.NextReportAsync("stubborn"), StringComparison.Ordinal);
        await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);

        Assert.Equal(hooks, Volatile.Read(ref returnedOnToken));
        await TestApps.UntilAsync(() => Volatile.Read(ref ran) == hooks, "every after-shutdown hook ran");
        Assert.Equal(ProcessExitReason.Killed, app.Supervisor!.GetProcess("stubborn").LastExitReason);
    }

    [Fact]
    public async Task An_after_start_hook_that_ignores_its_token_holds_the_stop_one_second_past_the_children_not_until_the_deadline()
    {
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("a", SupervisedApps.Child(["idle"])));
        app.OnAfterStart(_ => Task.Delay(Timeout.Infinite, CancellationToken.None));
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Supervisor!.ProcessStateChanged += (_, change) =>
        {
            if (change.State == ProcessState.Exited)
            {
                exited.TrySetResult();
            }
        };
        await TestApps.StartAsync(app);

        var clock = Stopwatch.StartNew();
        await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);
        output.WriteLine($"StopAsync took {clock.Elapsed.TotalSeconds:F2} s (StopTimeout {app.Options.StopTimeout.TotalSeconds} s)");

        // Well under the 30 s deadline; subscribers got the last state change before StopAsync returned.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the stop took {clock.Elapsed}");
        Assert.True(exited.Task.IsCompleted, "the Exited state change reached its subscriber before StopAsync returned");
        Assert.True(log.Contains(LogLevel.Warning, "An after-start hook was still running"));
    }

    [Fact]
    public async Task StopAsync_called_by_the_program_ends_RunAsync()
    {
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("a", SupervisedApps.Child(["idle"])));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.OnAfterStart(() => started.TrySetResult());
        var run = app.RunAsync();
        await started.Task.WaitAsync(TestApps.Timeout);

        await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);

        Assert.Equal(0, await run.WaitAsync(TestApps.Timeout));
        Assert.Equal(ProcessState.Exited, app.Supervisor!.GetProcess("a").State);
    }

    [Fact]
    public async Task A_Stopping_callback_that_blocks_gets_one_second_and_the_stop_then_runs_its_hooks_and_stops_children_gracefully()
    {
        using var log = new CategoryLog();
        using var release = new ManualResetEventSlim();
        await using var app = new FirnApp(StopOptions(log, stopTimeout: TimeSpan.FromSeconds(20)));
        app.AddProcess("a", SupervisedApps.Child(["idle"]));
        var hooks = new List<string>();
        app.OnBeforeShutdown(() => hooks.Add("before-shutdown"));
        app.OnBeforeProcessShutdown(name => hooks.Add("before-process-shutdown:" + name));
        app.OnAfterShutdown(() => hooks.Add("after-shutdown"));
        await TestApps.StartAsync(app);
        using var blocking = app.Stopping.Register(() => release.Wait());

        await StopThenReleaseAsync(app, release);
        Assert.Equal(["before-shutdown", "before-process-shutdown:a", "after-shutdown"], hooks);
        Assert.Equal(ProcessExitReason.Stopped, app.Supervisor!.GetProcess("a").LastExitReason);
        Assert.True(log.Contains(LogLevel.Warning, "A callback registered on Stopping was still running"));
    }

    [Fact]
    public void The_stop_bounds_default_to_what_the_README_says_and_must_be_positive()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.Equal(TimeSpan.FromSeconds(30), new FirnAppOptions().StopTimeout);
        Assert.Contains("`FirnAppOptions.StopTimeout` (default 30 s)", readme, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), new FirnAppOptions().ShutdownHookTimeout);
        Assert.Contains("`FirnAppOptions.ShutdownHookTimeout` (default 5 s)", readme, StringComparison.Ordinal);

        Assert.Equal(TimeSpan.FromTicks(1), new FirnAppOptions { StopTimeout = TimeSpan.FromTicks(1), ShutdownHookTimeout = TimeSpan.FromTicks(1) }.StopTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { StopTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { ShutdownHookTimeout = TimeSpan.Zero });
    }

    /// <summary>Stops the app, then lets go of what its hooks or callbacks block on (also when the stop fails).</summary>
    private async Task StopThenReleaseAsync(FirnApp app, ManualResetEventSlim release)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);
        }
        finally
        {
            release.Set();
        }

        output.WriteLine($"StopAsync took {clock.Elapsed.TotalSeconds:F2} s");
    }

    /// <summary>Options for an app of these tests, with the stop bounds under test.</summary>
    private static FirnAppOptions StopOptions(CategoryLog log, TimeSpan stopTimeout, TimeSpan? shutdownHookTimeout = null) => new()
    {
        LoggerFactory = log.Factory,
        HandleSignals = false,
        SocketDirectory = "/tmp",
        StartTimeout = TestApps.Timeout,
        StopTimeout = stopTimeout,
        ShutdownHookTimeout = shutdownHookTimeout ?? new FirnAppOptions().ShutdownHookTimeout,
    };

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Firn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    private static readonly TimeSpan StopDeadlineGrace = TimeSpan.FromSeconds(2);
}
