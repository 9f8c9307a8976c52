using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>What a child can ask of the main process.</summary>
public sealed class ChildRequestTests
{
    [Fact]
    public async Task A_child_that_asks_to_be_stopped_is_not_restarted_even_when_permanent()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("quitter", SupervisedApps.Child(["obey"], restart: RestartPolicy.Permanent)));
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);
        var pid = SupervisedApps.Pid(await app.NextReportAsync("quitter"));

        app.GetChannel<object?>("quitter-active").Send("stop-me:" + pid);

        var exited = await states.WaitForAsync("quitter", ProcessState.Exited);
        Assert.Equal(ProcessState.Stopping, exited.PreviousState);
        Assert.Equal(ProcessExitReason.Stopped, exited.Status.LastExitReason);
        Assert.Equal(0, app.Supervisor!.GetProcess("quitter").Restarts);
        Assert.True(log.Contains(LogLevel.Information, "Process 'quitter' asked: StopSelf"));
    }

    [Fact]
    public async Task A_child_can_ask_the_whole_application_to_restart()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("first", SupervisedApps.Child(["obey"])), ("second", SupervisedApps.Child(["obey"])));
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.OnAfterRestart(restarted.SetResult);
        await TestApps.StartAsync(app);
        var first = await app.NextReportAsync("first");
        var second = await app.NextReportAsync("second");

        app.GetChannel<object?>("second-active").Send("restart-app:" + SupervisedApps.Pid(second));
        await restarted.Task.WaitAsync(TestApps.Timeout);

        Assert.NotEqual(first, await app.NextReportAsync("first"));
        Assert.NotEqual(second, await app.NextReportAsync("second"));
        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(ProcessState.Running, p.State));
        Assert.All(app.Supervisor!.GetProcesses(), p => Assert.Equal(1, p.Restarts));
        Assert.True(log.Contains(LogLevel.Information, "Process 'second' asked: RestartApplication"));
    }
}
