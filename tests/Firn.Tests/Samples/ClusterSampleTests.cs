using System.Globalization;
using System.Text.RegularExpressions;
using Firn.Tests.Redis;
using Firn.Tests.Support;

namespace Firn.Tests.Samples;

/// <summary>
/// samples/Firn.Cluster as two real hosts (main processes, each with its worker) on the test's Redis: every job of
/// both producers is done once, the shared counter adds up, each host sees the other's worker, and SIGTERM stops both cleanly.
/// </summary>
public sealed partial class ClusterSampleTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Jobs = 5;

    [RedisFact]
    public async Task Two_hosts_share_the_work_queue_and_the_counter()
    {
        var prefix = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        await using var east = Start("east", prefix);
        await using var west = Start("west", prefix);

        foreach (var (host, sample) in new[] { ("east", east), ("west", west) })
        {
            await sample.WaitForLineAsync(l => l.Contains($"Host {host} produced {Jobs} jobs", StringComparison.Ordinal), $"{host} has produced its jobs");
        }

        // Every job of both hosts done exactly once, by whichever worker took it; the counter counted each.
        var expected = new[] { "east", "west" }.SelectMany(h => Enumerable.Range(1, Jobs).Select(n => $"{h}-{n}")).Order(StringComparer.Ordinal).ToArray();
        await TestApps.UntilAsync(() => DoneJobs(east, west).Count >= expected.Length, "every job is done");
        Assert.Equal(expected, DoneJobs(east, west).Select(d => d.Job).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, DoneJobs(east, west).Select(d => d.Count).Max());
        Assert.All(new[] { east, west }, s => Assert.Contains(s.Lines, l => DoneLine().IsMatch(l)));

        // The process registry: each host lists the other's worker.
        await east.WaitForLineAsync(l => l.Contains("Processes of every host:", StringComparison.Ordinal) && l.Contains("on west@", StringComparison.Ordinal), "east lists west's worker");
        await west.WaitForLineAsync(l => l.Contains("Processes of every host:", StringComparison.Ordinal) && l.Contains("on east@", StringComparison.Ordinal), "west lists east's worker");

        Assert.Equal(0, await east.TerminateAsync());
        Assert.Equal(0, await west.TerminateAsync());
        Assert.Contains(west.Lines, l => l.Contains("Process 'worker': Stopping -> Exited (Stopped, exit code 0)", StringComparison.Ordinal));
    }

    private ProgramProcess Start(string host, string prefix) =>
        Sample.Start("Firn.Cluster", "--host", host, "--redis", redis.Configuration, "--prefix", prefix, "--jobs", $"{Jobs}", "--interval", "50");

    /// <summary>The jobs done, from both hosts' logs: "east-3" and the counter's value after it.</summary>
    private static List<(string Job, int Count)> DoneJobs(params ProgramProcess[] samples) =>
        [.. samples.SelectMany(s => s.Lines).Select(l => DoneLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"did job (\w+-\d+) \(jobs done on every host: (\d+)\)")]
    private static partial Regex DoneLine();
}
