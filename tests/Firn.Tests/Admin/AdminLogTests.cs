using System.Text.Json;
using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>The admin socket's logs: recent lines per process, and follow.</summary>
public sealed class AdminLogTests
{
    [Fact]
    public async Task Logs_returns_a_line_a_child_wrote_and_follow_streams_a_new_one()
    {
        var flag = Path.Combine(Path.GetTempPath(), "firn-admin-flag-" + Guid.NewGuid().ToString("N"));
        await using var app = await AdminApp.Create(a => a.AddCommand(
            "talker",
            AdminApp.Shell($"echo first-line; while [ ! -e {flag} ]; do sleep 0.05; done; echo later-line; exec sleep 1000"))).StartAsync();
        await using var client = await app.ConnectAsync();

        await TestApps.UntilAsync(() => app.App.AdminLogs!.CountOf("talker") > 0, "the child's first line is kept");
        var lines = (await client.OkAsync("logs", new { name = "talker" })).GetProperty("lines").EnumerateArray().ToList();
        var first = Assert.Single(lines);
        Assert.Equal("first-line", first.GetProperty("message").GetString());
        Assert.Equal("talker", first.GetProperty("process").GetString());
        Assert.Equal("Information", first.GetProperty("level").GetString());
        Assert.True(DateTime.TryParse(first.GetProperty("time").GetString(), out _));

        // The main process's own log is there too, under its name.
        var all = (await client.OkAsync("logs", new { lines = 1000 })).GetProperty("lines").EnumerateArray().ToList();
        Assert.Contains(all, l => l.GetProperty("process").GetString() == "main" && l.GetProperty("message").GetString()!.Contains("Admin socket", StringComparison.Ordinal));

        await using var follower = await app.ConnectAsync();
        var reply = await follower.OkAsync("logs", new { name = "talker", follow = true });
        Assert.Single(reply.GetProperty("lines").EnumerateArray());
        await File.WriteAllTextAsync(flag, "go");
        try
        {
            var item = (await follower.ReadAsync())!.Value;
            Assert.Equal(JsonValueKind.Number, item.GetProperty("id").ValueKind);
            Assert.Equal("later-line", item.GetProperty("item").GetProperty("message").GetString());
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task The_ring_keeps_exactly_AdminLogLines_lines_per_process_dropping_the_oldest()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("counter", AdminApp.Shell("for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done; echo done; exec sleep 1000")), adminLogLines: 5).StartAsync();
        await using var client = await app.ConnectAsync();
        await TestApps.UntilAsync(
            () => app.App.AdminLogs!.Snapshot("counter", 5, false, out _, out _).Any(l => l.Message == "done"),
            "the child's last line is kept");
        var lines = (await client.OkAsync("logs", new { name = "counter", lines = 100 })).GetProperty("lines").EnumerateArray()
            .Select(l => l.GetProperty("message").GetString()).ToList();
        Assert.Equal(["line-7", "line-8", "line-9", "line-10", "done"], lines);
        var two = (await client.OkAsync("logs", new { name = "counter", lines = 2 })).GetProperty("lines").EnumerateArray()
            .Select(l => l.GetProperty("message").GetString()).ToList();
        Assert.Equal(["line-10", "done"], two);
    }

    [Fact]
    public void AdminLogLines_out_of_bounds_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { AdminLogLines = 0 });
        Assert.Contains("AdminLogLines", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { AdminLogLines = 1_000_001 });
        Assert.Throws<ArgumentException>(() => new FirnAppOptions { AppName = "bad/name" });
    }
}
