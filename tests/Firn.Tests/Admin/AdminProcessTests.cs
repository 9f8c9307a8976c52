using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Admin;

/// <summary>The admin socket's process ops against real children.</summary>
public sealed class AdminProcessTests
{
    private const string Sleeper = "echo sleeper-started; exec sleep 1000";

    [Fact]
    public async Task The_hello_line_names_the_protocol_app_pid_and_uid()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell(Sleeper))).StartAsync();
        await using var client = await app.ConnectAsync();
        Assert.Equal(1, client.Hello.GetProperty("firnAdmin").GetInt32());
        Assert.Equal(AdminApp.Name, client.Hello.GetProperty("app").GetString());
        Assert.Equal(Environment.ProcessId, client.Hello.GetProperty("pid").GetInt32());
        Assert.Equal(Firn.Transport.PeerCredentials.CurrentUserId, client.Hello.GetProperty("uid").GetUInt32());
        Assert.False(string.IsNullOrEmpty(client.Hello.GetProperty("version").GetString()));
        Assert.Equal($"{AdminApp.Name}.{Environment.ProcessId}.admin.sock", Path.GetFileName(app.SocketPath));
    }

    [Fact]
    public async Task Ps_lists_the_children_with_their_pids_and_restart_changes_the_pid()
    {
        await using var app = await AdminApp.Create(a => a
            .AddCommand("one", AdminApp.Shell(Sleeper))
            .AddCommand("two", AdminApp.Shell(Sleeper))).StartAsync();
        await using var client = await app.ConnectAsync();

        var processes = (await client.OkAsync("ps")).GetProperty("processes").EnumerateArray().ToList();
        Assert.Equal(["one", "two"], processes.Select(p => p.GetProperty("name").GetString()));
        Assert.All(processes, p => Assert.Equal("Running", p.GetProperty("state").GetString()));
        var pid = processes[0].GetProperty("pid").GetInt32();
        Assert.Equal(app.App.Supervisor!.GetProcess("one").ProcessId, pid);
        Assert.True(processes[0].GetProperty("memoryBytes").GetInt64() > 0);

        Assert.Empty((await client.OkAsync("restart", new { name = "one" })).EnumerateObject());
        var after = app.App.Supervisor.GetProcess("one");
        Assert.Equal(ProcessState.Running, after.State);
        Assert.NotEqual(pid, after.ProcessId);
        Assert.Equal(1, after.Restarts);

        var described = await client.OkAsync("describe", new { name = "two" });
        Assert.Equal("/bin/sh", described.GetProperty("command")[0].GetString());
        Assert.Equal("Temporary", described.GetProperty("restartPolicy").GetString());
        Assert.Equal("not-found", await client.ErrorAsync("describe", new { name = "nobody" }));

        // Every change is in the main process's log with the client's pid and uid.
        Assert.True(app.Log.Contains(LogLevel.Information, $"Admin: restart 'one' (client pid {Environment.ProcessId}, uid {Firn.Transport.PeerCredentials.CurrentUserId})"));
    }

    [Fact]
    public async Task Stop_and_start_and_wait()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell(Sleeper))).StartAsync();
        await using var client = await app.ConnectAsync();

        await client.OkAsync("stop", new { name = "one" });
        Assert.Equal(ProcessState.Exited, app.App.Supervisor!.GetProcess("one").State);
        Assert.Equal("timeout", await client.ErrorAsync("wait", new { name = "one", state = "Running", timeout = 0.3 }));

        // A wait sent first on another connection returns once the start makes the child Running.
        await using var waiter = await app.ConnectAsync();
        var waiting = waiter.OkAsync("wait", new { name = "one", state = "running", timeout = 60 });
        await client.OkAsync("start", new { name = "one" });
        var waited = await waiting;
        Assert.Equal("Running", waited.GetProperty("state").GetString());
        Assert.Equal(app.App.Supervisor.GetProcess("one").ProcessId, waited.GetProperty("pid").GetInt32());

        await client.OkAsync("signal", new { name = "one", signal = "SIGKILL" });
        await TestApps.UntilAsync(() => app.App.Supervisor.GetProcess("one").State == ProcessState.Exited, "the killed child has exited");
        Assert.Equal("bad-request", await client.ErrorAsync("signal", new { name = "one", signal = "NOPE" }));
    }
}
