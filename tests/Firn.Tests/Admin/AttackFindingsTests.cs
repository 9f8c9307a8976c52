using System.Text;
using Firn.Tests.Cli;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Admin;

/// <summary>
/// An attacker's look at the admin socket and firnctl against their docs (docs/admin-protocol.md, docs/firnctl.md,
/// docs/SECURITY.md). The findings (each failed before its fix, and now shows the promise holding) and the attacks
/// that held, all kept as regression tests.
/// </summary>
public sealed class AttackFindingsTests
{
    // Finding 2. admin-protocol.md: "a request with a missing or wrongly typed argument is a protocol violation: the
    // server writes an error line with code bad-request ... and closes that connection only"; "every other error code
    // leaves it open". Only AdminException and JsonException are turned into lines: a lone surrogate escape (valid
    // JSON; JsonElement.GetString throws InvalidOperationException) or an rpc.call method name the RPC layer refuses
    // (empty, over 256 characters: ArgumentException) closes the connection with no line at all.
    // Fixed: a lone surrogate anywhere in a request is a bad request (an error line, then the connection closes); an
    // rpc.call method name the RPC layer refuses is a well-formed request that failed (the connection stays open).
    [Fact]
    public async Task A_lone_surrogate_in_a_string_gets_a_bad_request_line()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();
        foreach (var line in new[]
        {
            "{\"id\":1,\"op\":\"\\ud800\"}",
            "{\"id\":2,\"op\":\"store.get\",\"key\":\"\\ud800\"}",
            "{\"id\":3,\"op\":\"sub\",\"pattern\":\"a\\udc00\"}",
            "{\"id\":4,\"op\":\"store.set\",\"key\":\"k\",\"value\":{\"a\":[\"\\ud800\"]}}",
            "{\"id\":5,\"op\":\"store.set\",\"key\":\"k\",\"value\":{\"\\udc00\":1}}",
            "{\"id\":6,\"op\":\"rpc.call\",\"method\":\"m\",\"args\":[\"\\ud800\"]}",
            "{\"id\":7,\"op\":\"signal\",\"name\":\"one\",\"signal\":\"\\ud800\"}",
            "{\"id\":8,\"op\":\"describe\",\"name\":\"\\ud800\"}",
        })
        {
            await using var client = await app.ConnectAsync();
            await client.SendLineAsync(line);
            var reply = await client.ReadAsync();
            Assert.True(reply is not null, $"no reply line to {line}: the connection was closed silently");
            Assert.Equal("bad-request", reply.Value.GetProperty("error").GetProperty("code").GetString());
            Assert.True(await client.IsClosedAsync(), line);
        }

        await using var caller = await app.ConnectAsync();
        foreach (var method in new[] { string.Empty, new string('m', 300), "m\u001b" })
        {
            Assert.Equal("failed", await caller.ErrorAsync("rpc.call", new { method, args = Array.Empty<object>() }));
        }

        await caller.OkAsync("ps");
    }

    // Finding 3. admin-protocol.md: "A store.set value is stored as the .NET type its JSON kind maps to: ... other
    // number -> System.Double". A number beyond double's range (1e400) is stored as +Infinity without a word, and
    // store.get then shows a System.Double whose value is the string "Infinity" (firnctl exits 0 both times).
    [Fact]
    public async Task A_number_out_of_double_range_is_refused()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await AssertBadRequestsAsync(
            app,
            null,
            "{\"id\":1,\"op\":\"store.set\",\"key\":\"k\",\"value\":1e400}",
            "{\"id\":2,\"op\":\"store.set\",\"key\":\"k\",\"value\":-1e400}",
            "{\"id\":3,\"op\":\"store.set\",\"key\":\"k\",\"value\":{\"a\":[1e400]}}",
            "{\"id\":4,\"op\":\"rpc.call\",\"method\":\"m\",\"args\":[1e400]}");

        Assert.Empty(app.App.SharedMemory.Keys);

        // The largest double is a double.
        await using (var client = await app.ConnectAsync())
        {
            await client.SendLineAsync("{\"id\":1,\"op\":\"store.set\",\"key\":\"k\",\"value\":1.7976931348623157e308}");
            Assert.True((await client.ReadAsync())!.Value.GetProperty("ok").GetBoolean());
        }

        Assert.Equal(double.MaxValue, app.App.SharedMemory.Get<double>("k"));
        var set = await FirnCtl.RunAsync(app.Directory, "store", "set", "big", "1e400", "--write");
        Assert.True(set.ExitCode == 2, set.ToString());
        Assert.StartsWith("firnctl: ", set.Error, StringComparison.Ordinal);
    }

    // admin-protocol.md: "integer -> System.Int64". An integer a 64-bit integer cannot hold was stored as a double of
    // another value (18446744073709551615 came back as 1.8446744073709552E+19), and so did an RPC argument.
    [Fact]
    public async Task An_integer_beyond_64_bits_is_refused_and_one_at_the_bound_is_kept_exactly()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await AssertBadRequestsAsync(
            app,
            "beyond the range of a 64-bit integer",
            "{\"id\":1,\"op\":\"store.set\",\"key\":\"k\",\"value\":9223372036854775808}",
            "{\"id\":2,\"op\":\"store.set\",\"key\":\"k\",\"value\":-9223372036854775809}",
            "{\"id\":3,\"op\":\"store.set\",\"key\":\"k\",\"value\":{\"a\":[18446744073709551616]}}",
            "{\"id\":4,\"op\":\"rpc.call\",\"method\":\"m\",\"args\":[-9223372036854775809]}");

        Assert.Empty(app.App.SharedMemory.Keys);
        await using (var client = await app.ConnectAsync())
        {
            await client.SendLineAsync("{\"id\":1,\"op\":\"store.set\",\"key\":\"max\",\"value\":9223372036854775807}");
            Assert.True((await client.ReadAsync())!.Value.GetProperty("ok").GetBoolean());
            await client.SendLineAsync("{\"id\":2,\"op\":\"store.set\",\"key\":\"min\",\"value\":-9223372036854775808}");
            Assert.True((await client.ReadAsync())!.Value.GetProperty("ok").GetBoolean());
            await client.SendLineAsync("{\"id\":3,\"op\":\"store.set\",\"key\":\"double\",\"value\":1.8446744073709552e19}");
            Assert.True((await client.ReadAsync())!.Value.GetProperty("ok").GetBoolean());
        }

        Assert.Equal(long.MaxValue, app.App.SharedMemory.Get<long>("max"));
        Assert.Equal(long.MinValue, app.App.SharedMemory.Get<long>("min"));
        Assert.Equal(1.8446744073709552e19, app.App.SharedMemory.Get<double>("double"));
        var set = await FirnCtl.RunAsync(app.Directory, "store", "set", "big", "18446744073709551615", "--write");
        Assert.True(set.ExitCode == 2, set.ToString());
    }

    // Finding 6. admin-protocol.md: "Every change made through the socket ... is logged by the main process at
    // Information with the client's pid and uid". The key (store set/del) and the method (rpc call) go into the audit
    // line as they are: a key with a newline writes a second, forged line ("... Admin: stop-app (client pid 1, uid
    // 1000)") into the app's console log, and ESC sequences reach the operator's terminal (logs, store keys).
    [Fact]
    public async Task An_audit_line_is_one_line_whatever_the_key()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();
        await using var client = await app.ConnectAsync();
        var key = "x' (client pid 1, uid 1000)\n2026-01-01 00:00:00.000 [INFO] main: Admin: stop-app (client pid 1, uid 1000)\u001b[2J";
        await client.OkAsync("store.set", new { key, value = 1 });
        await client.OkAsync("store.del", new { key });
        foreach (var line in new[]
        {
            "{\"id\":1,\"op\":\"rpc.call\",\"method\":\"m\\r\\u001b[1A\",\"args\":[]}",
            "{\"id\":2,\"op\":\"wait\",\"name\":\"one\",\"state\":\"\\u001b[2J\\nforged\"}",
        })
        {
            // Each is answered (or, before finding 3 was fixed, closed): either way it has been logged by then.
            await using var other = await app.ConnectAsync();
            await other.SendLineAsync(line);
            try
            {
                await other.ReadAsync();
            }
            catch (IOException)
            {
            }
        }

        var audit = app.Log.Entries.Where(e => e.Message.StartsWith("Admin: ", StringComparison.Ordinal)).ToList();
        Assert.True(audit.Count >= 4, string.Join('\n', audit.Select(e => e.Message)));
        Assert.All(audit, e => Assert.DoesNotContain(e.Message, c => char.IsControl(c)));
        Assert.Contains(audit, e => e.Message.StartsWith(@"Admin: store set 'x\' (client pid 1, uid 1000)\n2026", StringComparison.Ordinal) && e.Message.Contains(@"\u001b[2J' (System.Int64) (client pid", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Message.StartsWith(@"Admin: rpc call 'm\r\u001b[1A' (client pid", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Message.Contains(@"'\u001b[2J\nforged' is not a process state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Firnctl_escapes_control_characters_in_keys_log_lines_values_and_errors()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var client = await app.ConnectAsync();
        await client.OkAsync("store.set", new { key = "k\u001b[2J", value = "v\u001b[31m" });
#pragma warning disable CA1848, CA2254 // A test's line.
        app.App.LoggerFactory.CreateLogger("Evil").LogWarning("line\u001b[2J\nforged");
#pragma warning restore CA1848, CA2254

        var keys = await FirnCtl.RunAsync(app.Directory, "store", "keys");
        Assert.Equal("k\\u001b[2J\n", keys.Output);
        var get = await FirnCtl.RunAsync(app.Directory, "store", "get", "k\u001b[2J");
        Assert.Equal("\"v\\u001B[31m\"\n", get.Output);
        var logs = await FirnCtl.RunAsync(app.Directory, "logs");
        Assert.Contains(@"line\u001b[2J\nforged", logs.Output, StringComparison.Ordinal);
        var describe = await FirnCtl.RunAsync(app.Directory, "describe", "p\u001b[2J");
        Assert.True(describe.ExitCode == 4, describe.ToString());
        foreach (var result in new[] { keys, get, logs, describe })
        {
            Assert.DoesNotContain('\u001b', result.Output + result.Error);
        }
    }

    // Finding 4. The store's rule (SECURITY.md, "keys and topics 1 to 1,024 characters"; StoreKeys.Validate) is checked
    // for children and for SharedMemory, but the admin ops call the store engine directly: an empty key or a key of
    // 5,000 characters is stored, and then no C# reader can name it (SharedMemory throws ArgumentException).
    // Fixed: the admin store ops apply the store's key rules (StoreKeys.Validate), at the boundary.
    [Fact]
    public async Task Store_set_refuses_a_key_the_store_does_not_allow()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using (var client = await app.ConnectAsync())
        {
            foreach (var key in new[] { "k", new string('k', 1024) })
            {
                await client.OkAsync("store.set", new { key, value = 1 });
                Assert.True((await client.OkAsync("store.get", new { key })).GetProperty("found").GetBoolean());
                Assert.Equal(key, Assert.Single((await client.OkAsync("store.keys", new { pattern = key })).GetProperty("keys").EnumerateArray()).GetString());
                Assert.True((await client.OkAsync("store.del", new { key })).GetProperty("deleted").GetBoolean());
            }

            await client.OkAsync("sub", new { pattern = new string('k', 1024) });
        }

        foreach (var key in new[] { string.Empty, new string('k', 1025) })
        {
            foreach (var (op, arguments) in new (string, object)[]
            {
                ("store.set", new { key, value = 1 }),
                ("store.get", new { key }),
                ("store.del", new { key }),
                ("store.keys", new { pattern = key }),
                ("sub", new { pattern = key }),
            })
            {
                await using var client = await app.ConnectAsync();
                Assert.Equal("bad-request", await client.ErrorAsync(op, arguments));
                Assert.True(await client.IsClosedAsync(), op);
            }
        }

        Assert.Empty(app.App.SharedMemory.Keys);
    }

    // Finding 1 (security). SECURITY.md: "an existing directory owned by another user, or writable by group or others,
    // is refused ... so another user cannot plant or swap the socket". The app refuses such a directory, but firnctl
    // lists it, follows symbolic links to it and connects to whatever socket is there, without checking the directory
    // or the server's SO_PEERCRED: another user who can write there (or who created /tmp/firn-<uid> first) can plant a
    // fake app that receives the operator's writes (store set values, rpc call arguments) and shows them made-up state.
    // Seen by hand: a 20-line Python listener run as uid 65534 in a directory it owns received, from root's firnctl,
    // {"op":"store.set","key":"api-token","value":"s3cret"} and {"op":"rpc.call","args":["admin","hunter2"]}.
    [Fact]
    public async Task Firnctl_refuses_an_admin_directory_others_can_write_or_a_symbolic_link()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        File.SetUnixFileMode(app.Directory, (UnixFileMode)0x1FF);
        var open = await FirnCtl.RunAsync(app.Directory, "ps");
        Assert.True(open.ExitCode == 3, "a 0777 admin directory was used: " + open);
        Assert.Contains("writable by group or others", open.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Log.Entries, e => e.Message.Contains("client pid", StringComparison.Ordinal));

        File.SetUnixFileMode(app.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var link = app.Directory + "-link";
        File.CreateSymbolicLink(link, app.Directory);
        try
        {
            var linked = await FirnCtl.RunAsync(link, "ps");
            Assert.True(linked.ExitCode == 3, "a symbolic link as admin directory was used: " + linked);
            Assert.Contains("not a directory", linked.Error, StringComparison.Ordinal);
            var direct = await FirnCtl.RunAsync(app.Directory, "ps");
            Assert.True(direct.ExitCode == 0, "the same directory, 0700 and named directly: " + direct);
        }
        finally
        {
            File.Delete(link);
        }
    }

    // Finding 5. firnctl.md: exit code 2 for "a bad duration"; "Errors go to standard error as one line starting with
    // firnctl: ". Global.ParseDuration accepts "Infinity" and huge numbers; TimeSpan.FromSeconds then throws
    // OverflowException, and wait's CancelAfter(limit + 30 s) / top's Task.Delay(interval) throw
    // ArgumentOutOfRangeException above ~49.7 days: firnctl dies with an unhandled exception and a stack trace.
    [Fact]
    public async Task A_huge_duration_is_a_usage_error()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();

        // The app's limit, 24 days, is taken; a second more is not.
        var longest = await FirnCtl.RunAsync(app.Directory, "wait", "one", "--timeout", "2073600");
        Assert.True(longest.ExitCode == 0, longest.ToString());
        string[][] commands =
        [
            ["wait", "one", "--timeout", "Infinity"],
            ["wait", "one", "--timeout", "5000000"],
            ["wait", "one", "--timeout", "2073601"],
            ["wait", "one", "--timeout", "576h1"],
            ["wait", "one", "--timeout", "NaN"],
            ["top", "--iterations", "1", "--interval", "5000000"],
            ["channels", "--interval", "Infinitys"],
            ["rpc", "call", "m", "--timeout", "Infinity"],
            ["store", "set", "k", "1", "--write", "--ttl", "1e300h"],
        ];
        foreach (var command in commands)
        {
            var result = await FirnCtl.RunAsync(app.Directory, command);
            Assert.True(result.ExitCode == 2, string.Join(' ', command) + ": " + result);
            Assert.StartsWith("firnctl: ", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        }
    }

    // Fixed: at most AdminEndpoint.MaxConnections admin connections; the next gets one busy line. A client that closes
    // while its request runs (a wait, a follow, a subscription) frees its place at once, not when the request ends.
    [Fact]
    public async Task Connections_beyond_the_cap_are_busy_and_a_client_closing_mid_wait_frees_its_place()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();
        var open = new List<AdminTestClient>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var client = await app.ConnectAsync();
                open.Add(client);
                Assert.True(client.Hello.TryGetProperty("firnAdmin", out _), $"connection {i + 1} was refused: {client.Hello}");
                switch (i)
                {
                    case 62:
                        await client.OkAsync("sub", new { pattern = "*" });
                        break;
                    case 63:
                        await client.OkAsync("logs", new { lines = 0, follow = true });
                        break;
                    default:
                        // The ps reply shows the server reading this chunk: the wait behind it runs next.
                        await client.SendLineAsync("{\"id\":1,\"op\":\"ps\"}\n{\"id\":2,\"op\":\"wait\",\"name\":\"one\",\"state\":\"Exited\",\"timeout\":600}");
                        Assert.Equal(1, (await client.ReadAsync())!.Value.GetProperty("id").GetInt32());
                        break;
                }
            }

            await using (var refused = await app.ConnectAsync())
            {
                Assert.Equal("busy", refused.Hello.GetProperty("error").GetProperty("code").GetString());
                Assert.True(await refused.IsClosedAsync());
            }

            foreach (var index in new[] { 0, 63, 62 })
            {
                await open[index].DisposeAsync();
                AdminTestClient? admitted = null;
                await TestApps.UntilAsync(
                    async () =>
                    {
                        var client = await app.ConnectAsync();
                        if (client.Hello.TryGetProperty("firnAdmin", out _))
                        {
                            admitted = client;
                            return true;
                        }

                        await client.DisposeAsync();
                        return false;
                    },
                    $"a new connection is admitted once connection {index + 1} closed");
                open[index] = admitted!;
                await admitted!.OkAsync("ps");
            }
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    // Fixed: a request line left unfinished for AdminConnection.PartialLineTimeout closes its connection, with a
    // bad-request line; a client that sent nothing (no line started) is not timed.
    [Fact]
    public async Task A_line_left_unfinished_is_closed_after_the_timeout_and_an_idle_client_is_not()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var idle = await app.ConnectAsync();
        await using var stalled = await app.ConnectAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await stalled.SendRawAsync(Encoding.UTF8.GetBytes("{\"id\":1,\"op\":\"p"));
        var reply = (await stalled.ReadAsync())!.Value;
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(9.5), $"closed after {clock.Elapsed}");
        Assert.Equal("bad-request", reply.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("unfinished", reply.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(await stalled.IsClosedAsync());
        await idle.OkAsync("ps");
    }

    // Held: a client that sends half a line and stalls holds up nobody else.
    [Fact]
    public async Task A_stalled_half_line_does_not_block_other_connections()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        var stalled = new List<AdminTestClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var client = await app.ConnectAsync();
                stalled.Add(client);
                await client.SendRawAsync(Encoding.UTF8.GetBytes("{\"id\":1,\"op\":\"p"));
            }

            await using var other = await app.ConnectAsync();
            await other.OkAsync("ps");
        }
        finally
        {
            foreach (var client in stalled)
            {
                await client.DisposeAsync();
            }
        }
    }

    // Held: pipelined requests are answered in order, and an error other than bad-request leaves the connection open.
    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var client = await app.ConnectAsync();
        await client.SendRawAsync(Encoding.UTF8.GetBytes(
            "{\"id\":1,\"op\":\"ps\"}\n{\"id\":2,\"op\":\"fly\"}\n{\"id\":3,\"op\":\"store.get\",\"key\":\"none\"}\n"));
        for (var id = 1; id <= 3; id++)
        {
            var reply = (await client.ReadAsync())!.Value;
            Assert.Equal(id, reply.GetProperty("id").GetInt32());
        }
    }

    // Held: odd signals, states and timeouts are bad requests (each closes its connection only).
    [Fact]
    public async Task Odd_signals_states_and_timeouts_are_bad_requests()
    {
        await using var app = await AdminApp.Create(a => a.AddCommand("one", AdminApp.Shell("exec sleep 1000"))).StartAsync();
        var pid = app.App.Supervisor!.GetProcess("one").ProcessId;
        foreach (var line in new[]
        {
            "{\"id\":1,\"op\":\"signal\",\"name\":\"one\",\"signal\":0}",
            "{\"id\":2,\"op\":\"signal\",\"name\":\"one\",\"signal\":65}",
            "{\"id\":3,\"op\":\"signal\",\"name\":\"one\",\"signal\":\"-9\"}",
            "{\"id\":4,\"op\":\"signal\",\"name\":\"one\",\"signal\":\"SIGFOO\"}",
            "{\"id\":5,\"op\":\"signal\",\"name\":\"one\",\"signal\":1.5}",
            "{\"id\":6,\"op\":\"wait\",\"name\":\"one\",\"state\":\"1\"}",
            "{\"id\":7,\"op\":\"wait\",\"name\":\"one\",\"state\":\"Running\",\"timeout\":-1}",
            "{\"id\":8,\"op\":\"wait\",\"name\":\"one\",\"state\":\"Running\",\"timeout\":1e300}",
            "{\"id\":9,\"op\":\"logs\",\"lines\":-1}",
        })
        {
            await using var client = await app.ConnectAsync();
            await client.SendLineAsync(line);
            var reply = (await client.ReadAsync())!.Value;
            Assert.Equal("bad-request", reply.GetProperty("error").GetProperty("code").GetString());
            Assert.True(await client.IsClosedAsync(), line);
        }

        Assert.Equal(pid, app.App.Supervisor.GetProcess("one").ProcessId);
    }

    // Held: a log follower and a subscriber that never read hold up neither the app's logging nor its publications.
    [Fact]
    public async Task Followers_that_never_read_do_not_hold_up_the_app()
    {
        await using var app = await AdminApp.Create(_ => { }).StartAsync();
        await using var follower = await app.ConnectAsync();
        await follower.OkAsync("logs", new { lines = 0, follow = true });
        await using var subscriber = await app.ConnectAsync();
        await subscriber.OkAsync("sub", new { pattern = "flood.*" });

        var logger = app.App.LoggerFactory.CreateLogger("Flood");
        var payload = new string('x', 500);
        var flood = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
#pragma warning disable CA1848, CA2254 // A test's flood of lines.
                logger.LogWarning(payload);
#pragma warning restore CA1848, CA2254
                app.App.SharedMemory.Publish("flood.x", payload);
            }
        });
        await flood.WaitAsync(TestApps.Timeout);

        await using var other = await app.ConnectAsync();
        await other.OkAsync("ps");
    }

    /// <summary>Sends each line on a connection of its own and expects bad-request, whose message has <paramref name="says"/> when given.</summary>
    private static async Task AssertBadRequestsAsync(AdminApp app, string? says, params string[] lines)
    {
        foreach (var line in lines)
        {
            await using var client = await app.ConnectAsync();
            await client.SendLineAsync(line);
            var error = (await client.ReadAsync())!.Value.GetProperty("error");
            Assert.Equal("bad-request", error.GetProperty("code").GetString());
            if (says is not null)
            {
                Assert.Contains(says, error.GetProperty("message").GetString(), StringComparison.Ordinal);
            }
        }
    }
}
