using System.Diagnostics;
using System.Globalization;
using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Firn.Tests.Hosting;

/// <summary>
/// Children never outlive the main process: a real main process (tests/Firn.TestMain) is killed or signalled, and
/// every one of its children (a Firn program, two re-launched entries, one that ignores every stop, an external
/// command) must go.
/// </summary>
public sealed class NoOrphanTests(ITestOutputHelper output)
{
    /// <summary>
    /// The requirement: no child survives a SIGKILLed main process by 2 s. The slowest child by design is the one that
    /// ignores every stop: its watchdog kills it 1.5 s after it noticed (<see cref="ParentWatch.HardExitAfter"/>), and it
    /// notices within milliseconds (the parent-death signal, or a pidfd of the main process that becomes readable when
    /// it dies). It was measured at 1.53–1.57 s on a loaded 2-core machine; the remaining 0.45 s is the margin for a
    /// thread waiting for a core. Each kill is asserted on its own: the bound is per child, not on average.
    /// </summary>
    private static readonly TimeSpan DeathBound = TimeSpan.FromSeconds(2);

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    [Fact]
    public async Task Every_child_exits_promptly_when_the_main_process_is_killed_with_SIGKILL()
    {
        await using var main = await TestMain.StartAsync();

        var clock = Stopwatch.StartNew();
        main.Process.Kill();
        var elapsed = await WaitUntilDeadAsync(main.Children, clock);

        output.WriteLine($"after SIGKILL of the main process: {string.Join(", ", elapsed.Select(e => $"{e.Key} gone in {e.Value.TotalMilliseconds:F0} ms"))}");
        Assert.All(elapsed, e => Assert.True(e.Value < DeathBound, $"{e.Key} took {e.Value}"));
    }

    [Fact]
    public async Task SIGTERM_on_the_main_process_stops_every_child_in_reverse_order_and_exits_0()
    {
        await using var main = await TestMain.StartAsync();
        var clock = Stopwatch.StartNew();

        Assert.Equal(0, NativeMethods.kill(main.Process.Id, NativeMethods.SIGTERM));
        await main.Process.WaitForExitAsync().WaitAsync(TestApps.Timeout);

        output.WriteLine($"the main process exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.Equal(0, main.Process.ExitCode);
        Assert.All(main.Children, c => Assert.False(SupervisedApps.IsAlive(c.Value), $"{c.Key} (pid {c.Value}) is still alive"));
        var stopping = main.Lines.Where(l => l.Contains("-> Stopping", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('\'', StringComparison.Ordinal) + 1)..l.IndexOf("':", StringComparison.Ordinal)]);
        Assert.Equal(["command", "stubborn", "inproc", "firn"], stopping);
        Assert.Contains(main.Lines, l => l.Contains("Process 'stubborn': Stopping -> Exited (Killed, signal 9)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Children_spawned_from_a_short_lived_thread_outlive_that_thread()
    {
        var log = new CategoryLog();
        await using var app = await TestApps.StartAsync(SupervisedApps.Create(log.Factory, ("anchor", SupervisedApps.Child(["idle"]))));
        await app.NextReportAsync("anchor");
        await app.Supervisor!.StopProcessAsync("anchor").WaitAsync(TestApps.Timeout);

        // Start both children from a thread that ends right after; Linux would send a parent-death signal tied to it.
        var threadId = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            threadId = int.Parse(Path.GetFileName(File.ResolveLinkTarget("/proc/thread-self", returnFinalTarget: false)!.FullName), CultureInfo.InvariantCulture);
            try
            {
                app.Supervisor!.StartProcessAsync("anchor").GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        await TestApps.UntilAsync(() => !Directory.Exists($"/proc/self/task/{threadId}"), "the starting thread has exited in the kernel");

        var pid = SupervisedApps.Pid(await app.NextReportAsync("anchor"));
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("anchor").State);
        Assert.Equal(pid, app.Supervisor!.GetProcess("anchor").ProcessId?.ToString(CultureInfo.InvariantCulture));
        Assert.True(SupervisedApps.IsAlive(int.Parse(pid, CultureInfo.InvariantCulture)));
        Assert.False(log.Contains(LogLevel.Warning, "Ignored a parent-death signal"));
    }

    [Fact]
    public async Task An_external_command_spawned_from_a_short_lived_thread_is_not_killed_by_its_exit()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("anchor", SupervisedApps.Child(["idle"])));
        app.AddCommand("sleeper", new ProcessOptions { Executable = "sleep", Arguments = ["600"], Restart = RestartPolicy.Temporary });
        await TestApps.StartAsync(app);
        await app.Supervisor!.StopProcessAsync("sleeper").WaitAsync(TestApps.Timeout);

        var threadId = 0;
        var thread = new Thread(() =>
        {
            threadId = int.Parse(Path.GetFileName(File.ResolveLinkTarget("/proc/thread-self", returnFinalTarget: false)!.FullName), CultureInfo.InvariantCulture);
            app.Supervisor!.StartProcessAsync("sleeper").GetAwaiter().GetResult();
        });
        thread.Start();
        thread.Join();
        await TestApps.UntilAsync(() => !Directory.Exists($"/proc/self/task/{threadId}"), "the starting thread has exited in the kernel");
        var pid = app.Supervisor!.GetProcess("sleeper").ProcessId!.Value;

        // A parent-death SIGKILL tied to that thread would be on its way now; a round trip to the other child gives it time to land.
        await app.Supervisor!.RestartProcessAsync("anchor").WaitAsync(TestApps.Timeout);
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("sleeper").State);
        Assert.True(SupervisedApps.IsAlive(pid), $"the command (pid {pid}) was killed when the thread that started it exited");
    }

    /// <summary>
    /// With <paramref name="parentIgnoresSighup"/>, the child is spawned while this process ignores SIGHUP (as under
    /// nohup), so it starts with SIGHUP ignored: the child must take its handler back, or the signal never reaches it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_parent_death_signal_while_the_main_process_lives_is_ignored(bool parentIgnoresSighup)
    {
        var log = new CategoryLog();
        var app = SupervisedApps.Create(log.Factory, ("hardy", SupervisedApps.Child(["obey"])));
        await using var owned = app;
        var previous = parentIgnoresSighup ? NativeMethods.signal(NativeMethods.SIGHUP, 1) : 0;
        try
        {
            await TestApps.StartAsync(app);
        }
        finally
        {
            if (parentIgnoresSighup)
            {
                _ = NativeMethods.signal(NativeMethods.SIGHUP, previous);
            }
        }

        var pid = SupervisedApps.Pid(await app.NextReportAsync("hardy"));

        Assert.Equal(0, NativeMethods.kill(int.Parse(pid, CultureInfo.InvariantCulture), NativeMethods.SIGHUP));
        await log.UntilLoggedAsync(LogLevel.Warning, $"Ignored a parent-death signal: the main process (pid {Environment.ProcessId}) is still alive");

        // Still the same instance, and it still obeys.
        app.Exit("hardy", "pid=" + pid, 0);
        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("hardy").State == ProcessState.Exited, "the child exits on command");
        Assert.Equal(ProcessExitReason.Completed, app.Supervisor!.GetProcess("hardy").LastExitReason);
    }

    [Fact]
    public async Task Every_spawn_runs_on_the_one_long_lived_spawner_thread()
    {
        var fromPool = await Task.Run(() => ProcessSpawner.RunAsync(() => Environment.CurrentManagedThreadId));
        var fromThread = 0;
        var thread = new Thread(() => fromThread = ProcessSpawner.RunAsync(() => Environment.CurrentManagedThreadId).GetAwaiter().GetResult());
        thread.Start();
        thread.Join();

        Assert.Equal(ProcessSpawner.ThreadId, fromPool);
        Assert.Equal(ProcessSpawner.ThreadId, fromThread);
    }

    /// <summary>
    /// Polls until every pid is dead; returns how long each took on <paramref name="clock"/> (started by the caller before the
    /// kill; by default at the call). The polling runs on a thread of
    /// its own: a thread-pool continuation can wait hundreds of milliseconds for a thread on a loaded 2-core machine (the
    /// pool starts with one thread per core), which would be measured as the children's time, not the test's.
    /// </summary>
    private static async Task<Dictionary<string, TimeSpan>> WaitUntilDeadAsync(IReadOnlyDictionary<string, int> children, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        var gone = new Dictionary<string, TimeSpan>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var poller = new Thread(() =>
        {
            while (gone.Count < children.Count && clock.Elapsed < TestApps.Timeout)
            {
                foreach (var (name, pid) in children)
                {
                    if (!gone.ContainsKey(name) && !SupervisedApps.IsAlive(pid))
                    {
                        gone[name] = clock.Elapsed;
                    }
                }

                Thread.Sleep(5);
            }

            done.SetResult();
        })
        {
            IsBackground = true,
            Name = "orphan poller",
        };
        poller.Start();
        await done.Task;

        foreach (var (name, pid) in children.Where(c => !gone.ContainsKey(c.Key)))
        {
            gone[name] = clock.Elapsed;
            NativeMethods.kill(pid, NativeMethods.SIGKILL);
        }

        return gone;
    }

    /// <summary>A running Firn.TestMain process and the pids of its children; disposing kills whatever is left.</summary>
    private sealed class TestMain : IAsyncDisposable
    {
        private readonly List<string> _lines = [];

        private TestMain(Process process) => Process = process;

        public Process Process { get; }

        public IReadOnlyDictionary<string, int> Children { get; private set; } = new Dictionary<string, int>();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public static async Task<TestMain> StartAsync()
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(MainPath);
            info.Environment.Remove("FIRN_PROCESS_NAME");
            var main = new TestMain(Process.Start(info)!);
            var pids = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            main.Process.OutputDataReceived += (_, e) => main.OnLine(e.Data, pids);
            main.Process.ErrorDataReceived += (_, e) => main.OnLine(e.Data, pids);
            main.Process.BeginOutputReadLine();
            main.Process.BeginErrorReadLine();
            try
            {
                var line = await pids.Task.WaitAsync(TestApps.Timeout);
                main.Children = line["pids=".Length..].Split(',').Select(p => p.Split(':')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
                return main;
            }
            catch
            {
                await main.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            await WaitUntilDeadAsync(Children);
            await Process.WaitForExitAsync();
            Process.Dispose();
        }

        private void OnLine(string? line, TaskCompletionSource<string> pids)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Add(line);
            }

            if (line.StartsWith("pids=", StringComparison.Ordinal))
            {
                pids.TrySetResult(line);
            }
        }
    }
}
