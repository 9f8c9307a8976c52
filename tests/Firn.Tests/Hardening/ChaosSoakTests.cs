using System.Diagnostics;
using System.Globalization;
using Firn.Tests.Support;
using Xunit.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>
/// A short chaos run of the soak (tools/Firn.Soak) as a real main process with three real children: mixed channel,
/// store, pub/sub and RPC traffic while children are SIGKILLed, SIGSTOPped and SIGCONTed, and restarted at random. The
/// soak itself checks the invariants and exits 1 if one breaks: no numbered message lost, no acknowledged store write
/// missing, no publication missed while subscribed, no more duplicates than the killed or restarted instances held
/// unacknowledged, and the main process's descriptors, threads and memory back to their level before the traffic.
/// </summary>
public sealed class ChaosSoakTests(ITestOutputHelper output)
{
    private static readonly string SoakPath = Path.Combine(AppContext.BaseDirectory, "Firn.Soak.dll");

    [Fact]
    public async Task Mixed_traffic_keeps_every_invariant_while_children_are_killed_paused_and_restarted_at_random()
    {
        var seed = Random.Shared.Next();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { SoakPath, "--minutes", "0.75", "--children", "3", "--kill-every", "1.5", "--chaos", "--seed", seed.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("FIRN_PROCESS_NAME");
        using var soak = Process.Start(info)!;
        var lines = new List<string>();
        void OnLine(string? line)
        {
            if (line is not null && !line.Contains("[INFO]", StringComparison.Ordinal))
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }

        soak.OutputDataReceived += (_, e) => OnLine(e.Data);
        soak.ErrorDataReceived += (_, e) => OnLine(e.Data);
        soak.BeginOutputReadLine();
        soak.BeginErrorReadLine();
        try
        {
            // 45 s of traffic, then the drain and the settling of descriptors and threads (each bounded by the soak).
            await soak.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            soak.WaitForExit();
        }
        finally
        {
            if (!soak.HasExited)
            {
                soak.Kill(entireProcessTree: true);
            }
        }

        string report;
        lock (lines)
        {
            report = string.Join('\n', lines);
        }

        output.WriteLine($"seed {seed} (replay: dotnet run -c Release --project tools/Firn.Soak -- --minutes 0.75 --children 3 --kill-every 1.5 --chaos --seed {seed})");
        output.WriteLine(report);
        Assert.Contains("Lost messages: 0. Missing acknowledged store writes: 0. Publications a subscriber missed while subscribed: 0.", report, StringComparison.Ordinal);
        Assert.DoesNotContain("not back to the level before it", report, StringComparison.Ordinal);
        Assert.True(soak.ExitCode == 0, $"the soak exited with {soak.ExitCode}:\n{report}");
    }
}
