using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Firn.Hosting;
using Firn.Tests.Support;
using Firn.Transport;
using Xunit.Abstractions;

namespace Firn.Tests.Hosting;

/// <summary>
/// Supervision never waits for standard output: a real main process (tests/Firn.TestMain, "blocked-stdout") logs to a
/// pipe nobody reads, with a chatty child forwarded into that log, and must still restart a SIGKILLed child at once
/// and answer <c>GetProcess</c>.
/// </summary>
public sealed partial class BlockedStdoutTests(ITestOutputHelper output)
{
    /// <summary>A restart takes a back-off of 50 ms and a child start (about a second on a loaded 2-core machine); a stall on stdout took 17–57 s or for ever.</summary>
    private static readonly TimeSpan RestartBound = TimeSpan.FromSeconds(15);

    /// <summary><c>GetProcess</c> takes a lock held for microseconds; a loaded machine may still deschedule the caller.</summary>
    private const int SlowestStatusMs = 2000;

    /// <summary>Threads a restart may add (its spawn, its forwarders, the runtime's pool adjusting); a stall added about 60.</summary>
    private const int ThreadGrowth = 20;

    private static string MainPath { get; } = Path.Combine(AppContext.BaseDirectory, "Firn.TestMain.dll");

    [Fact]
    public async Task A_main_process_whose_stdout_nobody_reads_restarts_a_killed_child_promptly_and_keeps_answering()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(MainPath);
        info.ArgumentList.Add("blocked-stdout");
        info.Environment.Remove("FIRN_PROCESS_NAME");
        using var main = Process.Start(info)!;
        var statuses = new List<Status>();
        var errors = new List<string>();
        main.ErrorDataReceived += (_, e) =>
        {
            lock (statuses)
            {
                if (Status.TryParse(e.Data) is { } status)
                {
                    statuses.Add(status);
                }
                else if (e.Data is { } line)
                {
                    errors.Add(line);
                }
            }
        };
        main.BeginErrorReadLine();
        Status[] Seen()
        {
            lock (statuses)
            {
                return [.. statuses];
            }
        }

        var children = new HashSet<int>();
        try
        {
            await TestApps.UntilAsync(() => Seen() is [.., { State: "Running", Pid: > 0 }], "the chatty child runs");
            var first = Seen()[^1];
            children.Add(first.Pid);
            var stdout = (PipeStream)main.StandardOutput.BaseStream;
            await TestApps.UntilAsync(() => IsFull(stdout), "the main process's standard output pipe is full");
            var before = Seen();

            var clock = Stopwatch.StartNew();
            Assert.Equal(0, NativeMethods.kill(first.Pid, NativeMethods.SIGKILL));
            await TestApps.UntilAsync(() => Seen() is [.., { State: "Running", Restarts: > 0 } last] && last.Pid != first.Pid, "the killed child is restarted");
            var restartedIn = clock.Elapsed;
            children.Add(Seen()[^1].Pid);

            // A few more seconds of a chatty child and a blocked stdout: nothing piles up.
            var count = Seen().Length;
            await TestApps.UntilAsync(() => Seen().Length >= count + 20, "twenty more status lines");
            Assert.True(IsFull(stdout), "the test read nothing, so standard output is still full");
            var during = Seen()[before.Length..];
            output.WriteLine($"restarted {restartedIn.TotalMilliseconds:F0} ms after SIGKILL; slowest GetProcess {during.Max(s => s.SlowestMs)} ms; threads {before[^1].Threads} at the kill, at most {during.Max(s => s.Threads)} after");
            Assert.True(restartedIn < RestartBound, $"the restart took {restartedIn}");
            Assert.All(during, s => Assert.True(s.SlowestMs < SlowestStatusMs, $"a GetProcess call took {s.SlowestMs} ms"));
            Assert.All(during, s => Assert.True(s.Threads <= before[^1].Threads + ThreadGrowth, $"threads grew from {before[^1].Threads} to {s.Threads}"));

            // Reading standard output again: what was queued comes out, and the console logger writes the count of what
            // it dropped (the state changes among them: a log that must never block has to drop something once its
            // queue is full) to standard error with the next line it queues.
            var lines = new List<string>();
            // The reading ends when the main process is killed below.
            var drain = Task.Run(async () =>
            {
                while (await main.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                }
            });
            string? DropNotice()
            {
                lock (statuses)
                {
                    return errors.Find(l => l.Contains("message(s) dropped", StringComparison.Ordinal));
                }
            }

            await TestApps.UntilAsync(() => DropNotice() is not null || drain.IsCompleted, "the count of the dropped log lines is written");
            Assert.NotNull(DropNotice());
            lock (lines)
            {
                Assert.Contains(lines, l => l.Contains("[INFO] chatty: chatter ", StringComparison.Ordinal));
            }

            output.WriteLine(DropNotice());
        }
        finally
        {
            main.Kill();
            await main.WaitForExitAsync();
            foreach (var pid in children.Concat(Seen().Select(s => s.Pid)).Where(p => p > 0).Distinct())
            {
                _ = NativeMethods.kill(pid, NativeMethods.SIGKILL);
            }
        }
    }

    /// <summary>Whether the pipe holds all but the last page it can: its writer blocks or is about to.</summary>
    private static bool IsFull(PipeStream pipe)
    {
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        var capacity = fcntl(fd, FGetPipeSize, 0);
        return capacity > 0 && ioctl(fd, FionRead, out var available) == 0 && available >= capacity - 4096;
    }

    private const int FGetPipeSize = 1032;
    private const nuint FionRead = 0x541B;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, out int value);

    private sealed record Status(int Pid, string State, int Restarts, int SlowestMs, int Threads)
    {
        public static Status? TryParse(string? line)
        {
            if (line is null || !line.StartsWith("status ", StringComparison.Ordinal))
            {
                return null;
            }

            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            int Number(string key) => int.TryParse(fields[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
            return new Status(Number("pid"), fields["state"], Number("restarts"), Number("slowest-ms"), Number("threads"));
        }
    }
}
