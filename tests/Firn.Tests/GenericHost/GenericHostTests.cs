using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.GenericHost;

/// <summary>
/// Firn under the .NET Generic Host, with real processes: tests/Firn.TestHostApp is a host application whose children
/// ("alpha", "beta") are IFirnProcess entries of the same program, each with its own host and container.
/// </summary>
public sealed class GenericHostTests
{
    [Fact]
    public async Task Children_start_in_declaration_order_and_are_running_before_ApplicationStarted()
    {
        await using var app = await HostAppProcess.StartAsync();

        Assert.Contains("started alpha=Running,beta=Running", app.Lines);
        var alphaRunning = app.IndexOf("state alpha Starting->Running reason= code=");
        var betaStarting = app.IndexOf("state beta NotStarted->Starting reason= code=");
        Assert.True(alphaRunning >= 0 && alphaRunning < betaStarting, string.Join('\n', app.Lines));
        var started = app.IndexOf("started alpha=Running,beta=Running");
        var hostStarted = app.Lines.ToList().FindIndex(l => l.Contains("Application started", StringComparison.Ordinal));
        Assert.True(started < hostStarted || hostStarted < 0, "the children were running before the host reported it had started");
    }

    [Fact]
    public async Task A_DI_resolved_child_and_a_main_side_service_call_each_other()
    {
        await using var app = await HostAppProcess.StartAsync();

        // The child called the main process's handler, and its constructor got the same context as its entry.
        await app.WaitForLineAsync("report alpha echo=main:from-alpha context=alpha same-context=True");

        // The main process calls the child's handler, which uses a service registered for that child only.
        await app.SendAsync("call-alpha");
        await app.WaitForLineAsync("greet=hello main from alpha-greeter");
    }

    [Fact]
    public async Task A_service_registered_for_one_child_exists_only_in_that_child()
    {
        await using var app = await HostAppProcess.StartAsync();

        Assert.Contains("main-has-greeter=False main-has-context=False", app.Lines);
        await app.WaitForLineAsync("report beta has-greeter=False");
        await app.WaitForLineAsync(l => l.StartsWith("report alpha echo=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopApplication_stops_the_children_in_reverse_order_and_the_host_exits_0()
    {
        await using var app = await HostAppProcess.StartAsync();
        await app.WaitForLineAsync(l => l.StartsWith("report alpha", StringComparison.Ordinal));

        await app.SendAsync("stop");

        Assert.Equal(0, await app.WaitForExitAsync());
        await app.ChildrenGoneAsync();
        var betaStopped = app.IndexOf("state beta Stopping->Exited reason=Stopped code=0");
        var alphaStopped = app.IndexOf("state alpha Stopping->Exited reason=Stopped code=0");
        Assert.True(betaStopped >= 0 && alphaStopped > betaStopped, string.Join('\n', app.Lines));
    }

    [Fact]
    public async Task Firn_stops_last_so_another_service_uses_the_store_in_its_own_stop()
    {
        await using var app = await HostAppProcess.StartAsync();

        await app.SendAsync("stop");

        Assert.Equal(0, await app.WaitForExitAsync());
        var probeStop = app.IndexOf("children-at-probe-stop alpha=Running,beta=Running");
        var storeUsed = app.IndexOf("store-in-stop=bye");
        var firstStopping = app.Lines.ToList().FindIndex(l => l.Contains("Running->Stopping", StringComparison.Ordinal));
        Assert.True(probeStop >= 0 && storeUsed > probeStop && firstStopping > storeUsed, string.Join('\n', app.Lines));
    }

    [Fact]
    public async Task A_child_request_to_stop_the_application_stops_the_main_host()
    {
        await using var app = await HostAppProcess.StartAsync("stop-app");

        Assert.Equal(0, await app.WaitForExitAsync());
        await app.ChildrenGoneAsync();
        Assert.Contains("state alpha Stopping->Exited reason=Stopped code=0", app.Lines);
    }

    [Fact]
    public async Task A_child_whose_entry_returns_stops_its_host_and_exits_0()
    {
        await using var app = await HostAppProcess.StartAsync("beta-returns");

        await app.WaitForLineAsync("state beta Running->Exited reason=Completed code=0");
        await app.SendAsync("stop");
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task A_child_request_to_restart_the_application_restarts_every_child_and_the_host_runs_on()
    {
        await using var app = await HostAppProcess.StartAsync("restart-app");

        await app.WaitForLineAsync("report beta start 2");
        await TestApps.UntilAsync(() => app.Lines.Count(l => l.StartsWith("state alpha Starting->Running", StringComparison.Ordinal)) == 2, "alpha runs again");
        Assert.False(app.Process.HasExited);

        await app.SendAsync("stop");
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task SIGTERM_on_the_main_host_stops_everything_cleanly()
    {
        await using var app = await HostAppProcess.StartAsync();

        Assert.Equal(0, NativeMethods.kill(app.Process.Id, NativeMethods.SIGTERM));

        Assert.Equal(0, await app.WaitForExitAsync());
        await app.ChildrenGoneAsync();
        Assert.Contains("state beta Stopping->Exited reason=Stopped code=0", app.Lines);
        Assert.Contains("state alpha Stopping->Exited reason=Stopped code=0", app.Lines);
    }

    [Fact]
    public async Task SIGTERM_on_a_child_stops_that_child_alone_with_exit_code_0()
    {
        await using var app = await HostAppProcess.StartAsync();
        await app.WaitForLineAsync(l => l.StartsWith("report alpha", StringComparison.Ordinal));

        Assert.Equal(0, NativeMethods.kill(app.Children["alpha"], NativeMethods.SIGTERM));

        // Its entry saw the stop, its host stopped and it closed cleanly; the main process did not ask, so it "completed".
        await app.WaitForLineAsync("state alpha Running->Exited reason=Completed code=0");
        Assert.False(app.Process.HasExited);
        await app.SendAsync("stop");
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task Children_leave_when_the_main_host_is_killed_with_SIGKILL()
    {
        await using var app = await HostAppProcess.StartAsync();

        app.Process.Kill();

        await app.ChildrenGoneAsync();
    }

    [Fact]
    public async Task A_stop_bound_longer_than_the_host_shutdown_timeout_fails_start_up_with_both_values()
    {
        await using var app = await HostAppProcess.StartAsync("budget", waitUntilStarted: false);

        Assert.NotEqual(0, await app.WaitForExitAsync());
        Assert.Contains(app.Lines, l => l.Contains("FirnAppOptions.StopTimeout 00:00:20", StringComparison.Ordinal) && l.Contains("HostOptions.ShutdownTimeout (00:00:05)", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Lines, l => l.StartsWith("state ", StringComparison.Ordinal));
    }
}
