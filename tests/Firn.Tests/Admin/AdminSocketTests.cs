using System.Diagnostics;
using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>The admin socket's file: modes, removal at stop, stale sockets, and who may connect.</summary>
public sealed class AdminSocketTests
{
    [Fact]
    public async Task The_directory_is_0700_the_socket_0600_and_the_socket_is_removed_at_stop()
    {
        var app = await AdminApp.Create(_ => { }).StartAsync();
        string path;
        try
        {
            path = app.SocketPath;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(app.Directory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            await app.App.Supervisor!.StopAsync();
            Assert.False(File.Exists(path));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stale_socket_of_a_dead_pid_is_removed_at_start_and_a_live_ones_is_kept()
    {
        var directory = AdminApp.NewDirectory();
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var dead = Process.Start("/bin/true")!;
        await dead.WaitForExitAsync();
        var stale = Path.Combine(directory, $"{AdminApp.Name}.{dead.Id}.admin.sock");
        var live = Path.Combine(directory, $"{AdminApp.Name}.1.admin.sock");
        var otherApp = Path.Combine(directory, $"someone-else.{dead.Id}.admin.sock");
        foreach (var file in new[] { stale, live, otherApp })
        {
            // A plain file stands for a leftover socket: a disposed .NET socket deletes the file it was bound to.
            await File.WriteAllBytesAsync(file, []);
        }

        await using var app = await AdminApp.Create(_ => { }, directory: directory).StartAsync();
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(otherApp));
        Assert.True(File.Exists(app.SocketPath));
    }

    [Fact]
    public async Task A_directory_writable_by_others_is_refused_and_the_app_runs_without_admin()
    {
        var directory = AdminApp.NewDirectory();
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000")), directory: directory).StartAsync();
        Assert.Null(app.App.AdminSocketPath);
        Assert.True(app.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "writable by group or others"));
        Assert.Equal(ProcessState.Running, app.App.Supervisor!.GetProcess("one").State);
    }

    [OtherUidFact]
    public async Task A_client_of_another_uid_is_refused()
    {
        var python = FindPython()!;
        await using var app = await AdminApp.Create(_ => { }).StartAsync();

        // Only for this test: let uid 65534 reach the socket, so that the server's own check is what refuses it.
        File.SetUnixFileMode(app.Directory, (UnixFileMode)Convert.ToInt32("711", 8));
        File.SetUnixFileMode(app.SocketPath, (UnixFileMode)Convert.ToInt32("666", 8));
        var script = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nf=s.makefile('r')\nprint(f.readline().strip())\nprint('EOF' if f.readline()=='' else 'MORE')";
        var info = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--reuid", "65534", "--regid", "65534", "--clear-groups", python, "-c", script, app.SocketPath })
        {
            info.ArgumentList.Add(argument);
        }

        using var client = Process.Start(info)!;
        var output = await client.StandardOutput.ReadToEndAsync().WaitAsync(TestApps.Timeout);
        await client.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        Assert.True(client.ExitCode == 0, await client.StandardError.ReadToEndAsync());
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"permission-denied\"", lines[0], StringComparison.Ordinal);
        Assert.Equal("EOF", lines[1]);
        Assert.True(app.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "uid 65534 is neither"));
    }

    internal static string? FindPython()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "/usr/local/bin/python3" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs a client of another uid: root (to switch), setpriv and python3; skipped with the reason otherwise.</summary>
internal sealed class OtherUidFactAttribute : FactAttribute
{
    public OtherUidFactAttribute()
    {
        if (Firn.Transport.PeerCredentials.CurrentUserId != 0)
        {
            Skip = "Runs a client under another uid with setpriv, which needs root; this test runs as another user.";
        }
        else if (!File.Exists("/usr/bin/setpriv"))
        {
            Skip = "Runs a client under another uid with /usr/bin/setpriv, which is not installed.";
        }
        else if (AdminSocketTests.FindPython() is null)
        {
            Skip = "The client of another uid is a python3 one-liner; python3 is not installed in /usr/bin or /usr/local/bin.";
        }
    }
}
