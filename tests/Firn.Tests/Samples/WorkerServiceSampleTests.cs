using System.Globalization;
using System.Text.RegularExpressions;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Samples;

/// <summary>samples/Firn.WorkerService as a real process: jobs flow between its two children, a killed child comes back.</summary>
public sealed partial class WorkerServiceSampleTests
{
    [Fact]
    public async Task Jobs_flow_from_producer_to_worker_and_a_killed_worker_is_restarted_by_its_configured_policy()
    {
        await using var sample = Sample.Start("Firn.WorkerService");
        await sample.WaitForLineAsync(l => Done(l) >= 3, "the worker has done three jobs");
        var worker = Pid(await sample.WaitForLineAsync(l => l.Contains("Process 'worker': Starting -> Running", StringComparison.Ordinal), "the worker runs"));

        _ = NativeMethods.kill(worker, NativeMethods.SIGKILL);
        var restarted = await sample.WaitForLineAsync(
            l => l.Contains("Process 'worker': ", StringComparison.Ordinal) && l.Contains("-> Running", StringComparison.Ordinal) && Pid(l) != worker,
            "the worker runs again under a new pid");
        var before = sample.Lines.Select(Done).Max();
        await sample.WaitForLineAsync(l => Done(l) > before, "jobs are done again after the restart");

        Assert.Equal(0, await sample.TerminateAsync());
        await TestApps.UntilAsync(() => !SupervisedApps.IsAlive(Pid(restarted)), "the worker has exited with the host");
        Assert.Contains(sample.Lines, l => l.Contains("Process 'producer': Stopping -> Exited (Stopped, exit code 0)", StringComparison.Ordinal));
    }

    private static long Done(string line) =>
        DoneLine().Match(line) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    private static int Pid(string line) => int.Parse(PidOf().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Jobs done: (\d+) ")]
    private static partial Regex DoneLine();

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex PidOf();
}
