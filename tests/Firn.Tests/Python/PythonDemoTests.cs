using System.Diagnostics;
using System.Text.RegularExpressions;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Python;

/// <summary>
/// samples/Firn.PythonDemo as a real process (the main process in its own process, its child "nonebot" in Python):
/// its log lines appear and SIGTERM stops it with exit code 0; a SIGKILLed main process leaves no Python child behind.
/// </summary>
public sealed partial class PythonDemoTests
{
    [PythonFact]
    public async Task The_Python_demo_plays_the_seed_demo_and_stops_on_SIGTERM_with_exit_code_0()
    {
        await using var demo = StartDemo();

        foreach (var line in new[] { "Passive receive: I am main process passive", "Active receive: I am main process active", "Event nonebot.heard: message #1 (shared counter: 1)", "asking the main process to restart me", "'nonebot' restarted", "message #3 (shared counter: 3)" })
        {
            await demo.WaitForLineAsync(l => l.Contains(line, StringComparison.Ordinal), $"the demo logs \"{line}\"");
        }

        Assert.Equal(0, await demo.TerminateAsync());
        Assert.Contains(demo.Lines, l => l.Contains("Stopping -> Exited (Stopped, exit code 0)", StringComparison.Ordinal));
    }

    [PythonFact]
    public async Task The_Python_child_is_gone_within_2_seconds_of_its_main_process_being_SIGKILLed()
    {
        await using var demo = StartDemo();
        var running = await demo.WaitForLineAsync(l => RunningPid().IsMatch(l), "nonebot runs");
        var child = int.Parse(RunningPid().Match(running).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, NativeMethods.kill(demo.Process.Id, NativeMethods.SIGKILL));
        var clock = Stopwatch.StartNew();
        await TestApps.UntilAsync(() => !IsAlive(child) || clock.Elapsed > TimeSpan.FromSeconds(5), "the Python child exits");
        Assert.False(IsAlive(child), "the Python child outlived its main process by 5 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the Python child took {clock.Elapsed} to exit");
    }

    /// <summary>Alive and not a zombie waiting for whoever adopted it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Process 'nonebot': Starting -> Running \(pid (\d+)\)")]
    private static partial Regex RunningPid();

    private static ProgramProcess StartDemo() =>
        Samples.Sample.Start("Firn.PythonDemo", new Dictionary<string, string> { ["FIRN_PYTHON"] = PythonChild.Interpreter });
}
