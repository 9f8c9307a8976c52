using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>Lifespan hooks: which run when, in which order, sync and async, and failing ones.</summary>
public sealed class LifespanHookTests
{
    [Fact]
    public async Task Hooks_run_in_the_documented_order_through_start_restarts_stop_and_shutdown()
    {
        var log = new CategoryLog();
        var app = SupervisedApps.Create(log.Factory, ("a", SupervisedApps.Child(["idle"])), ("b", SupervisedApps.Child(["idle"])));
        var calls = new List<string>();
        void Record(string call)
        {
            lock (calls)
            {
                calls.Add(call);
            }
        }

        string[] Drain()
        {
            lock (calls)
            {
                var drained = calls.ToArray();
                calls.Clear();
                return drained;
            }
        }

        app.OnBeforeStart(() => throw new InvalidOperationException("a failing hook"));
        app.OnBeforeStart(() => Record("before-start"));
        app.OnAfterStart(async stopping =>
        {
            await Task.Yield();
            Record("after-start");
        });
        app.OnAfterProcessStart(name => Record("after-process-start:" + name));
        app.OnBeforeProcessRestart(async (name, stopping) =>
        {
            await Task.Yield();
            Record("before-process-restart:" + name);
        });
        app.OnAfterProcessRestart(name => Record("after-process-restart:" + name));
        app.OnBeforeProcessShutdown(name => Record("before-process-shutdown:" + name));
        app.OnBeforeRestart(() => Record("before-restart"));
        app.OnAfterRestart(stopping => Task.Run(() => Record("after-restart"), stopping));
        app.OnBeforeShutdown(() => Record("before-shutdown"));
        app.OnAfterShutdown(async _ =>
        {
            await Task.Yield();
            Record("after-shutdown");
        });

        await using (app)
        {
            await TestApps.StartAsync(app);
            await TestApps.UntilAsync(() => { lock (calls) { return calls.Contains("after-start"); } }, "the after-start hook ran");
            Assert.Equal(["before-start", "after-process-start:a", "after-process-start:b", "after-start"], Drain());
            Assert.True(log.Contains(LogLevel.Error, "A before-start hook failed (for the app)"));

            await app.Supervisor!.RestartProcessAsync("a").WaitAsync(TestApps.Timeout);
            Assert.Equal(["before-process-restart:a", "after-process-start:a", "after-process-restart:a"], Drain());

            await app.Supervisor!.StopProcessAsync("b").WaitAsync(TestApps.Timeout);
            await app.Supervisor!.StartProcessAsync("b").WaitAsync(TestApps.Timeout);
            Assert.Equal(["before-process-shutdown:b", "after-process-start:b"], Drain());

            await app.Supervisor!.RestartAsync().WaitAsync(TestApps.Timeout);
            Assert.Equal(
                ["before-restart", "before-process-restart:b", "before-process-restart:a", "after-process-start:a", "after-process-restart:a", "after-process-start:b", "after-process-restart:b", "after-restart"],
                Drain());

            await app.Supervisor!.StopAsync().WaitAsync(TestApps.Timeout);
            Assert.Equal(["before-shutdown", "before-process-shutdown:b", "before-process-shutdown:a", "after-shutdown"], Drain());
        }

        Assert.Equal(2, app.Supervisor!.GetProcess("a").Restarts);
        Assert.Equal(1, app.Supervisor!.GetProcess("b").Restarts);
    }

    [Fact]
    public void An_async_lambda_given_to_a_synchronous_hook_overload_is_refused()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new CategoryLog().Factory });

        var error = Assert.Throws<ArgumentException>(() => app.OnBeforeStart(async () => await Task.Yield()));
        Assert.Contains("async void", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => app.OnAfterProcessStart(async name => await Task.Yield()));
        app.OnAfterProcessStart(async (name, stopping) => await Task.Yield());
    }

    [Fact]
    public async Task State_changes_reach_every_subscriber_in_order_even_when_one_throws()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("solo", SupervisedApps.Child(["idle"])));
        app.Supervisor!.ProcessStateChanged += (_, _) => throw new InvalidOperationException("a failing subscriber");
        var states = new StateRecorder(app);

        await TestApps.StartAsync(app);
        await app.Supervisor!.StopProcessAsync("solo").WaitAsync(TestApps.Timeout);
        await states.WaitForAsync("solo", ProcessState.Exited);

        Assert.Equal(["NotStarted->Starting", "Starting->Running", "Running->Stopping", "Stopping->Exited"], states.Path("solo"));
        var exited = states.For("solo")[^1];
        Assert.Equal(ProcessExitReason.Stopped, exited.Status.LastExitReason);
        Assert.Equal(0, exited.Status.LastExitCode);
        Assert.True(log.Contains(LogLevel.Error, "A ProcessStateChanged handler failed (for 'solo')"));
        Assert.True(log.Contains(LogLevel.Information, "Process 'solo': Starting -> Running (pid "));
    }
}
