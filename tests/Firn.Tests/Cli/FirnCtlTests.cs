using System.Text.Json.Nodes;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Cli;

/// <summary>firnctl run as a real process against a real running app (tests/Firn.TestAdminApp): processes, logs, store, pub/sub, RPC.</summary>
public sealed class FirnCtlTests(AdminAppFixture fixture) : IClassFixture<AdminAppFixture>
{
    private AdminApp App => fixture.App;

    [Fact]
    public async Task Ps_lists_the_children_in_plain_text_and_as_json()
    {
        var plain = await Ok("ps");
        Assert.StartsWith("NAME", plain, StringComparison.Ordinal);
        Assert.Contains("worker", plain, StringComparison.Ordinal);
        Assert.Contains("idler", plain, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', plain);
        Assert.DoesNotContain('│', plain);

        var processes = await RunningProcessesAsync();
        Assert.Contains("worker", processes.Keys);
        Assert.Contains("idler", processes.Keys);

        var status = JsonNode.Parse(await Ok("status", "--json"))!;
        Assert.Equal(App.Name, (string?)status["app"]);
        Assert.Equal(App.Pid, (int?)status["pid"]);

        var describe = JsonNode.Parse(await Ok("describe", "worker", "--json"))!;
        Assert.Equal("worker", (string?)describe["name"]);
        Assert.NotNull(describe["command"]);
    }

    [Fact]
    public async Task Restart_changes_the_pid()
    {
        var before = (await RunningProcessesAsync())["worker"];
        var restarted = await Ok("restart", "worker");
        Assert.Contains("worker: restarted, Running", restarted, StringComparison.Ordinal);

        var after = (await RunningProcessesAsync())["worker"];
        Assert.NotEqual(before, after);
        Assert.False(SupervisedApps.IsAlive(before), "the old worker has exited");
        await WorkerReadyAsync();
    }

    [Fact]
    public async Task Logs_follow_streams_a_line_a_child_writes()
    {
        await WorkerReadyAsync();
        await using var follow = FirnCtl.Stream(App.Directory, "logs", "worker", "-f", "--lines", "0");
        var text = "hello " + Guid.NewGuid().ToString("N")[..8];

        // The stream has begun once the app answered; a line logged before that is in the ring buffer, not the stream,
        // so say it until the stream shows it.
        await UntilStreamShowsAsync(follow, $"Said: {text}", async () => Assert.Equal($"\"{text.ToUpperInvariant()}\"\n", await Ok("rpc", "call", "worker.say", $"[\"{text}\"]")));

        var recent = (await Ok("logs", "worker", "--lines", "50", "--json")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Contains(recent, l => (string?)l["message"] == $"Said: {text}" && (string?)l["process"] == "worker");
    }

    [Fact]
    public async Task Wait_returns_when_a_child_is_running_and_times_out_with_exit_code_5()
    {
        var running = await Ok("wait", "worker", "--state", "Running", "--timeout", "30s");
        Assert.StartsWith("worker: Running", running, StringComparison.Ordinal);

        var timeout = await FirnCtl.RunAsync(App.Directory, "wait", "idler", "--state", "Failed", "--timeout", "1s");
        Assert.True(timeout.ExitCode == 5, timeout.ToString());
        Assert.Contains("idler was not Failed within 1 s", timeout.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_set_get_keys_del_round_trip_and_writes_need_write()
    {
        var refused = await FirnCtl.RunAsync(App.Directory, "store", "set", "cli.key", "1");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("add --write", refused.Error, StringComparison.Ordinal);

        Assert.Equal("cli.key: set\n", await Ok("store", "set", "cli.key", "{\"a\":1,\"b\":\"two\"}", "--write"));
        var value = JsonNode.Parse(await Ok("store", "get", "cli.key"))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"a\":1,\"b\":\"two\"}"), value), value.ToJsonString());
        Assert.Equal("42\n", await SetThenGetAsync("cli.number", "42"));
        Assert.Equal("\"text\"\n", await SetThenGetAsync("cli.text", "\"text\""));

        var keys = (await Ok("store", "keys", "cli.*")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["cli.key", "cli.number", "cli.text"], keys);

        Assert.Equal("cli.key: deleted\n", await Ok("store", "del", "cli.key", "--write"));
        Assert.Equal(4, (await FirnCtl.RunAsync(App.Directory, "store", "get", "cli.key")).ExitCode);
        Assert.Equal(4, (await FirnCtl.RunAsync(App.Directory, "store", "del", "cli.key", "--write")).ExitCode);
        Assert.Equal(2, (await FirnCtl.RunAsync(App.Directory, "store", "set", "cli.key", "{not json", "--write")).ExitCode);
        Assert.Equal(2, (await FirnCtl.RunAsync(App.Directory, "store", "del", "cli.number")).ExitCode);
    }

    [Fact]
    public async Task Sub_tails_publications_on_matching_topics()
    {
        await WorkerReadyAsync();
        await using var sub = FirnCtl.Stream(App.Directory, "sub", "news.*", "--json");
        var text = "flash " + Guid.NewGuid().ToString("N")[..8];
        await UntilStreamShowsAsync(sub, text, async () => await Ok("rpc", "call", "worker.publish", $"[\"news.flash\", \"{text}\"]"));

        var item = JsonNode.Parse(sub.Lines.First(l => l.Contains(text, StringComparison.Ordinal)))!;
        Assert.Equal("news.flash", (string?)item["topic"]);
        Assert.Equal(text, (string?)item["value"]);
    }

    [Fact]
    public async Task Rpc_list_shows_the_methods_and_call_round_trips()
    {
        await WorkerReadyAsync();
        var methods = JsonNode.Parse(await Ok("rpc", "list", "--json"))!["methods"]!.AsArray();
        Assert.Contains(methods, m => (string?)m!["name"] == "worker.say" && (string?)m["owner"] == "worker");

        var result = JsonNode.Parse(await Ok("rpc", "call", "worker.say", "[\"abc\"]", "--json"))!;
        Assert.Equal("ABC", (string?)result["result"]);
    }

    [Fact]
    public async Task Top_and_channels_print_one_refresh_for_scripts()
    {
        var top = JsonNode.Parse(await Ok("top", "--iterations", "1", "--interval", "200ms", "--json"))!;
        Assert.Contains(top["processes"]!.AsArray(), p => (string?)p!["name"] == "worker");
        var plain = await Ok("top", "--iterations", "2", "--interval", "200ms");
        Assert.Equal(2, plain.Split('\n').Count(l => l.StartsWith("NAME", StringComparison.Ordinal)));

        var channels = JsonNode.Parse(await Ok("channels", "--interval", "200ms", "--json"))!;
        Assert.NotNull(channels["channels"]);
    }

    [Fact]
    public async Task Every_exit_code_means_what_the_docs_say()
    {
        await WorkerReadyAsync();
        Assert.Equal(0, (await FirnCtl.RunAsync(App.Directory, "ps")).ExitCode);
        await AssertExitAsync(1, "worker.fail always fails", "rpc", "call", "worker.fail");
        await AssertExitAsync(2, "Unrecognized command", "frobnicate");
        await AssertExitAsync(2, "Required command", []);
        await AssertExitAsync(2, "--timeout", "wait", "worker", "--timeout", "soon");
        await AssertExitAsync(4, "nosuch", "describe", "nosuch");
        await AssertExitAsync(4, "nosuch", "restart", "nosuch");
        await AssertExitAsync(4, "", "rpc", "call", "nosuch.method");
        await AssertExitAsync(5, "not Exited", "wait", "worker", "--state", "Exited", "--timeout", "500ms");

        var empty = AdminApp.NewDirectory();
        var none = await FirnCtl.RunAsync(empty, "ps");
        Assert.True(none.ExitCode == 3, none.ToString());
        Assert.Contains("No Firn app is running", none.Error, StringComparison.Ordinal);
    }

    private async Task AssertExitAsync(int expected, string message, params string[] args)
    {
        var result = await FirnCtl.RunAsync(App.Directory, args);
        Assert.True(result.ExitCode == expected, $"firnctl {string.Join(' ', args)}: expected exit code {expected}, got {result}");
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    private async Task<string> SetThenGetAsync(string key, string json)
    {
        await Ok("store", "set", key, json, "--write");
        return await Ok("store", "get", key);
    }

    private async Task<string> Ok(params string[] args)
    {
        var result = await FirnCtl.RunAsync(App.Directory, args);
        Assert.True(result.ExitCode == 0, $"firnctl {string.Join(' ', args)}: {result}");
        return result.Output;
    }

    private async Task<Dictionary<string, int>> RunningProcessesAsync()
    {
        var ps = JsonNode.Parse(await Ok("ps", "--json"))!["processes"]!.AsArray();
        return ps.Where(p => (string?)p!["state"] == "Running").ToDictionary(p => (string)p!["name"]!, p => (int)p!["pid"]!);
    }

    /// <summary>The worker runs and has registered its methods (it sets "worker.ready" after).</summary>
    private async Task WorkerReadyAsync()
    {
        await Ok("wait", "worker", "--state", "Running", "--timeout", "60s");
        await TestApps.UntilAsync(async () => (await FirnCtl.RunAsync(App.Directory, "store", "get", "worker.ready")).ExitCode == 0, "the worker sets worker.ready");
    }

    /// <summary>Does <paramref name="act"/> until <paramref name="stream"/> prints a line containing <paramref name="text"/>.</summary>
    private static async Task UntilStreamShowsAsync(ProgramProcess stream, string text, Func<Task> act)
    {
        var deadline = DateTime.UtcNow + TestApps.Timeout;
        while (true)
        {
            await act();
            try
            {
                await stream.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), $"the stream shows '{text}'").WaitAsync(TimeSpan.FromSeconds(3));
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // Not subscribed yet when we acted: act again.
            }
        }
    }
}
