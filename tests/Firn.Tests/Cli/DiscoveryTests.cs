using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Cli;

/// <summary>firnctl finding its app: --app among several, stale sockets, and a client of another user refused.</summary>
public sealed class DiscoveryTests
{
    [Fact]
    public async Task App_option_picks_one_of_two_apps_and_without_it_the_error_lists_them()
    {
        var directory = AdminApp.NewDirectory();
        try
        {
            await using var alpha = await AdminApp.StartAsync("Alpha", directory);
            await using var beta = await AdminApp.StartAsync("Beta", directory);

            var ambiguous = await FirnCtl.RunAsync(directory, "ps");
            Assert.True(ambiguous.ExitCode == 3, ambiguous.ToString());
            Assert.Contains("Several apps are running", ambiguous.Error, StringComparison.Ordinal);
            Assert.Contains($"Alpha (pid {alpha.Pid})", ambiguous.Error, StringComparison.Ordinal);
            Assert.Contains($"Beta (pid {beta.Pid})", ambiguous.Error, StringComparison.Ordinal);

            Assert.Equal("Beta", await AppOfAsync(directory, "--app", "Beta"));
            Assert.Equal("Alpha", await AppOfAsync(directory, "--app", alpha.Pid.ToString(CultureInfo.InvariantCulture)));

            var unknown = await FirnCtl.RunAsync(directory, "--app", "Gamma", "ps");
            Assert.True(unknown.ExitCode == 3, unknown.ToString());
            Assert.Contains("No running app matches --app Gamma", unknown.Error, StringComparison.Ordinal);

            var apps = JsonNode.Parse((await FirnCtl.RunAsync(directory, "apps", "--json")).Output)!["apps"]!.AsArray();
            Assert.Equal(["Alpha", "Beta"], apps.Select(a => (string)a!["name"]!).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_app_named_with_digits_is_chosen_with_name_prefix_and_digits_alone_are_a_pid()
    {
        var directory = AdminApp.NewDirectory();
        try
        {
            await using var digits = await AdminApp.StartAsync("123", directory);
            await using var other = await AdminApp.StartAsync("Other", directory);
            Assert.Equal("123", await AppOfAsync(directory, "--app", "name:123"));
            Assert.Equal("123", await AppOfAsync(directory, "--app", "pid:" + digits.Pid.ToString(CultureInfo.InvariantCulture)));
            Assert.Equal("Other", await AppOfAsync(directory, "--app", "Other"));
            if (digits.Pid != 123 && other.Pid != 123)
            {
                var asPid = await FirnCtl.RunAsync(directory, "--app", "123", "ps");
                Assert.True(asPid.ExitCode == 3, asPid.ToString());
                Assert.Contains("No running app matches --app 123", asPid.Error, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Wait_help_lists_the_real_process_states()
    {
        var help = await FirnCtl.RunAsync("/nonexistent", "wait", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.All(Enum.GetNames<ProcessState>(), state => Assert.Contains(state, help.Output, StringComparison.Ordinal));
        Assert.DoesNotContain("Stopped", help.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_socket_of_a_dead_pid_is_ignored_and_removed()
    {
        await using var app = await AdminApp.StartAsync();
        var stale = Path.Combine(app.Directory, $"Ghost.{await DeadPidAsync()}.admin.sock");
        await File.WriteAllTextAsync(stale, "");

        var ps = await FirnCtl.RunAsync(app.Directory, "ps");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        Assert.Contains("worker", ps.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(stale), "the stale socket is removed");

        // Alone, a stale socket is no app at all.
        var lonely = AdminApp.NewDirectory();
        Directory.CreateDirectory(lonely);
        try
        {
            var ghost = Path.Combine(lonely, $"Ghost.{await DeadPidAsync()}.admin.sock");
            await File.WriteAllTextAsync(ghost, "");
            var none = await FirnCtl.RunAsync(lonely, "ps");
            Assert.True(none.ExitCode == 3, none.ToString());
            Assert.Contains("No Firn app is running", none.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(ghost));
        }
        finally
        {
            Directory.Delete(lonely, recursive: true);
        }
    }

    [AnotherUserFact]
    public async Task A_client_of_another_user_is_refused_with_exit_code_3()
    {
        await using var app = await AdminApp.StartAsync();

        // Let the other user reach the socket, so that the app itself (SO_PEERCRED) must refuse it.
        File.SetUnixFileMode(app.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(app.SocketPath, (UnixFileMode)0b110_110_110);

        // firnctl itself refuses first: the socket file is not its user's (the app's own refusal, SO_PEERCRED at
        // accept, is AdminSocketTests.A_client_of_another_uid_is_refused).
        var refused = await FirnCtl.RunAsNobodyAsync(app.Directory, "ps");
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("is owned by uid 0, not by this user (uid 65534)", refused.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(app.SocketPath), "a refused client removes nothing");

        var owner = await FirnCtl.RunAsync(app.Directory, "ps");
        Assert.True(owner.ExitCode == 0, owner.ToString());
    }

    [AnotherUserFact]
    public async Task A_socket_another_user_planted_is_refused_and_sent_nothing()
    {
        // Another user's app (uid 65534): the admission rule lets root's firnctl in, so only firnctl's checks stand
        // between it and the operator's writes.
        var theirs = AdminApp.NewDirectory();
        var ours = AdminApp.NewDirectory();
        Directory.CreateDirectory(ours, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var info = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--reuid", "65534", "--regid", "65534", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "Firn.TestAdminApp.dll"), theirs, "Fake"])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FIRN_PROCESS_NAME");
        using var fake = Process.Start(info)!;
        var output = fake.StandardOutput.ReadToEndAsync();
        _ = fake.StandardError.ReadToEndAsync();
        try
        {
            var socket = Path.Combine(theirs, $"Fake.{fake.Id}.admin.sock");
            await TestApps.UntilAsync(() => File.Exists(socket), "the other user's app listens");

            // Their own directory: owned by uid 65534.
            var direct = await FirnCtl.RunAsync(theirs, "store", "set", "api-token", "\"s3cret\"", "--write");
            Assert.True(direct.ExitCode == 3, direct.ToString());
            Assert.Contains("is owned by uid 65534, neither this user (uid 0) nor root", direct.Error, StringComparison.Ordinal);

            // Their socket planted in our directory, as a file of ours: the server's credentials give it away.
            var planted = Path.Combine(ours, $"Fake.{fake.Id}.admin.sock");
            File.Move(socket, planted);
            using (var chown = Process.Start("chown", ["0:0", planted]))
            {
                await chown.WaitForExitAsync();
                Assert.Equal(0, chown.ExitCode);
            }

            var set = await FirnCtl.RunAsync(ours, "store", "set", "api-token", "\"s3cret\"", "--write");
            Assert.True(set.ExitCode == 3, set.ToString());
            Assert.Contains($"(pid {fake.Id}) runs as uid 65534", set.Error, StringComparison.Ordinal);
            Assert.Contains("Nothing was sent", set.Error, StringComparison.Ordinal);

            // Another user's socket file in our directory.
            using (var chown = Process.Start("chown", ["65534:65534", planted]))
            {
                await chown.WaitForExitAsync();
            }

            var owned = await FirnCtl.RunAsync(ours, "ps");
            Assert.True(owned.ExitCode == 3, owned.ToString());
            Assert.Contains("is owned by uid 65534, not by this user (uid 0)", owned.Error, StringComparison.Ordinal);
        }
        finally
        {
            fake.Kill(entireProcessTree: true);
            await fake.WaitForExitAsync();
            Directory.Delete(ours, recursive: true);
            Directory.Delete(theirs, recursive: true);
        }

        Assert.DoesNotContain("store set", await output, StringComparison.Ordinal);
    }

    private static async Task<string> AppOfAsync(string directory, params string[] args)
    {
        var status = await FirnCtl.RunAsync(directory, [.. args, "status", "--json"]);
        Assert.True(status.ExitCode == 0, status.ToString());
        return (string)JsonNode.Parse(status.Output)!["app"]!;
    }

    /// <summary>The pid of a process that has exited (and been reaped).</summary>
    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        var pid = process.Id;
        Assert.False(SupervisedApps.IsAlive(pid));
        return pid;
    }
}
