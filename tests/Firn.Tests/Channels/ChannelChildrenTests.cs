using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>
/// Channel behaviour that needs more than the contract's two processes (see Contracts/Channels): several real child
/// processes receiving from one channel, and a child killed with SIGKILL.
/// </summary>
public sealed class ChannelChildrenTests
{
    [Fact]
    public async Task Two_receiving_processes_share_the_work_with_nothing_lost_or_duplicated()
    {
        const int count = 10_000;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(
            log,
            ("w1", ["work", "jobs", "results"]),
            ("w2", ["work", "jobs", "results"])));
        var jobs = app.GetChannel<int>("jobs");
        var results = app.GetChannel<WorkResult>("results");

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await jobs.SendAsync(i);
            }
        });

        var seen = new int[count];
        var byWorker = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        for (var received = 0; received < count; received++)
        {
            var result = await results.ReceiveAsync(timeout.Token);
            seen[result.Item]++;
            byWorker[result.Worker] = byWorker.GetValueOrDefault(result.Worker) + 1;
        }

        await sending.WaitAsync(TestApps.Timeout);
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(["w1", "w2"], byWorker.Keys.Order());
        Assert.Equal(count, byWorker.Values.Sum());
    }

    [Fact]
    public async Task A_child_killed_with_SIGKILL_does_not_take_the_main_process_down()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(
            log,
            ("victim", ["idle"]),
            ("echo", ["echo", "survivor-in", "survivor-out"])));
        Assert.StartsWith("pid=", await app.NextReportAsync("victim"), StringComparison.Ordinal);
        var pid = app.Supervisor!.GetProcess("victim").ProcessId!.Value;

        System.Diagnostics.Process.GetProcessById(pid).Kill();

        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("victim").State == ProcessState.Exited, "the main process saw the child exit");
        Assert.Equal(137, app.Supervisor!.GetProcess("victim").LastExitCode);
        var input = app.GetChannel<string>("survivor-in");
        var output = app.GetChannel<string>("survivor-out");
        input.Send("still here");
        Assert.Equal("echo:still here", await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
    }
}
