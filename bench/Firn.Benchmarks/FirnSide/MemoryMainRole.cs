using System.Diagnostics;
using System.Globalization;
using Firn.Benchmarks.Harness;
using Microsoft.Extensions.Logging;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B7's measured process: a Firn main process that reports its own resident set on standard output.
/// <c>idle N</c>: N idle children. <c>channels N</c>: a child opens N channels. <c>slow S</c>: a fast sender
/// and a slow passive handler here (1 ms per message) for S seconds.
/// </summary>
internal static class MemoryMainRole
{
    public static async Task<int> RunAsync(string socketDirectory, string mode, string argument)
    {
        using var logs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFirnConsole("memory-main"));
        return mode switch
        {
            "idle" => await IdleAsync(logs, socketDirectory, int.Parse(argument, CultureInfo.InvariantCulture)),
            "channels" => await ChannelsAsync(logs, socketDirectory, int.Parse(argument, CultureInfo.InvariantCulture)),
            "slow" => await SlowAsync(logs, socketDirectory, TimeSpan.FromSeconds(double.Parse(argument, CultureInfo.InvariantCulture))),
            _ => throw new ArgumentException($"Unknown memory-main mode '{mode}'."),
        };
    }

    private static async Task<int> IdleAsync(ILoggerFactory logs, string socketDirectory, int children)
    {
        await using var app = FirnApps.CreateMain(logs, socketDirectory, Enumerable.Range(0, children).Select(i => $"b7-idle-{i}"));
        await app.Supervisor!.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var rss = await SettledRssAsync();
        RoleOutput.Write(new Dictionary<string, double>
        {
            ["rss_mb"] = rss,
            ["heap_mb"] = GC.GetTotalMemory(forceFullCollection: false) / 1024.0 / 1024.0,
            ["threads"] = Process.GetCurrentProcess().Threads.Count,
            ["committed_mb"] = GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0 / 1024.0,
        });
        return 0;
    }

    private static async Task<int> ChannelsAsync(ILoggerFactory logs, string socketDirectory, int channels)
    {
        await using var app = FirnApps.CreateMain(logs, socketDirectory, ["b7-opener"]);
        await app.Supervisor!.StartAsync();
        var before = await SettledRssAsync();
        await app.CommandAsync("b7-opener", Format.Invariantly($"open {channels}"), CancellationToken.None);
        if (await app.NextReportAsync(CancellationToken.None) != "done")
        {
            throw new InvalidOperationException("The channel opener did not finish.");
        }

        RoleOutput.Write(new Dictionary<string, double> { ["before_mb"] = before, ["after_mb"] = await SettledRssAsync() });
        return 0;
    }

    private static async Task<int> SlowAsync(ILoggerFactory logs, string socketDirectory, TimeSpan duration)
    {
        await using var app = FirnApps.CreateMain(logs, socketDirectory, ["b7-source"]);
        long received = 0;
        await app.Supervisor!.StartAsync();
        var start = Rss.CurrentMegabytes();
        app.GetChannel<byte[]>("b7-slow").OnReceive(_ =>
        {
            Thread.Sleep(1);
            Interlocked.Increment(ref received);
        });
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await Task.Delay(100);
            samples.Add(Rss.CurrentMegabytes());
        }

        RoleOutput.Write(new Dictionary<string, double>
        {
            ["start_mb"] = start,
            ["peak_mb"] = samples.Max(),
            ["mid_mb"] = samples[samples.Count / 2],
            ["end_mb"] = samples[^1],
            ["received"] = Interlocked.Read(ref received),
        });
        return 0;
    }

    private static async Task<double> SettledRssAsync()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await Task.Delay(200);
        return Rss.CurrentMegabytes();
    }
}
