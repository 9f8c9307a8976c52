using System.Text.Json.Nodes;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Cli;

/// <summary>firnctl's whole-app controls and signals, each against an app of its own (they end or restart it).</summary>
public sealed class AppControlTests
{
    [Fact]
    public async Task Restart_app_gives_every_child_a_new_pid_and_logs_the_client()
    {
        await using var app = await AdminApp.StartAsync("RestartApp");
        var before = await RunningAsync(app);
        Assert.Equal(["idler", "worker"], before.Keys.Order(StringComparer.Ordinal));

        var restart = await FirnCtl.RunAsync(app.Directory, "restart-app");
        Assert.True(restart.ExitCode == 0, restart.ToString());

        Dictionary<string, int> after = [];
        await TestApps.UntilAsync(
            async () => (after = await RunningAsync(app)).Count == 2 && after.All(p => p.Value != before[p.Key]),
            "both children run again with new pids");
        Assert.All(before.Values, pid => Assert.False(SupervisedApps.IsAlive(pid), $"the old child {pid} has exited"));
        await app.Process.WaitForLineAsync(l => l.Contains("restart-app", StringComparison.Ordinal) && l.Contains("client pid", StringComparison.Ordinal), "the app logs the restart with the client's pid");
    }

    [Fact]
    public async Task Stop_app_ends_the_app_with_exit_code_0_and_its_children_with_it()
    {
        await using var app = await AdminApp.StartAsync("StopApp");
        var children = await RunningAsync(app);

        var stop = await FirnCtl.RunAsync(app.Directory, "stop-app");
        Assert.True(stop.ExitCode == 0, stop.ToString());

        Assert.Equal(0, await app.Process.WaitForExitAsync());
        Assert.All(children.Values, pid => Assert.False(SupervisedApps.IsAlive(pid), $"the child {pid} has exited"));
        Assert.False(File.Exists(app.SocketPath), "the admin socket is removed when the app stops");
    }

    [Fact]
    public async Task Signal_kill_ends_a_child_which_is_restarted_and_an_unknown_signal_is_a_usage_error()
    {
        await using var app = await AdminApp.StartAsync("SignalApp");
        var before = (await RunningAsync(app))["idler"];

        var kill = await FirnCtl.RunAsync(app.Directory, "signal", "KILL", "idler");
        Assert.True(kill.ExitCode == 0, kill.ToString());
        await TestApps.UntilAsync(() => !SupervisedApps.IsAlive(before), "the killed idler is gone");
        await TestApps.UntilAsync(async () => (await RunningAsync(app)).TryGetValue("idler", out var pid) && pid != before, "the idler is restarted with a new pid");

        var bogus = await FirnCtl.RunAsync(app.Directory, "signal", "NOSUCHSIGNAL", "idler");
        Assert.NotEqual(0, bogus.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(bogus.Error), bogus.ToString());
    }

    private static async Task<Dictionary<string, int>> RunningAsync(AdminApp app)
    {
        var ps = await FirnCtl.RunAsync(app.Directory, "ps", "--json");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        return JsonNode.Parse(ps.Output)!["processes"]!.AsArray()
            .Where(p => (string?)p!["state"] == "Running")
            .ToDictionary(p => (string)p!["name"]!, p => (int)p!["pid"]!);
    }
}
