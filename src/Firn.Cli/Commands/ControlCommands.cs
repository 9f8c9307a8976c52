using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Firn.Cli.Connection;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary>
/// <c>start|stop|restart NAME|all</c>, <c>signal SIG NAME</c>, <c>restart-app</c>, <c>stop-app</c>, <c>wait</c>: the
/// controls. The app logs each with this client's pid and uid.
/// </summary>
internal static class ControlCommands
{
    public static IEnumerable<Command> Create()
    {
        foreach (var (op, description, done) in new[]
        {
            ("start", "Start a stopped process (or all); returns once it is Running or Failed.", "started"),
            ("stop", "Stop a process (or all) gracefully, then by force after its timeouts.", "stopped"),
            ("restart", "Restart a process (or all); returns once it is Running or Failed.", "restarted"),
        })
        {
            var name = new Argument<string>("NAME") { Description = "The process, or 'all'." };
            var command = new Command(op, description) { name };
            Global.Connected(command, async (parse, client, ct) =>
            {
                var target = parse.GetValue(name)!;
                var result = await client.RequestAsync(op, new JsonObject { ["name"] = target }, ct);
                if (parse.GetValue(Global.Json))
                {
                    Output.Json(result);
                    return ExitCodes.Ok;
                }

                if (target == "all" || op == "stop")
                {
                    Output.Line($"{target}: {done}");
                    return ExitCodes.Ok;
                }

                // Running or Failed: say which, and fail when it failed.
                var process = await client.RequestAsync("describe", new JsonObject { ["name"] = target }, ct);
                var state = Formats.Text(process?["state"]);
                Output.Line($"{target}: {done}, {state} (pid {Formats.Number(process?["pid"])})");
                return state == "Failed" ? ExitCodes.Failed : ExitCodes.Ok;
            });
            yield return command;
        }

        yield return Signal();
        yield return AppControl("restart-app", "Restart the whole app (the main process re-runs its children).", "restarting");
        yield return AppControl("stop-app", "Stop the whole app, as SIGTERM would.", "stopping");
        yield return Wait();
    }

    private static Command Signal()
    {
        var signal = new Argument<string>("SIG") { Description = "HUP, SIGHUP or a number." };
        var name = new Argument<string>("NAME") { Description = "The process." };
        var command = new Command("signal", "Send a POSIX signal to a process.") { signal, name };
        Global.Connected(command, async (parse, client, ct) =>
        {
            var sig = parse.GetValue(signal)!;
            var result = await client.RequestAsync("signal", new JsonObject { ["name"] = parse.GetValue(name), ["signal"] = sig }, ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{parse.GetValue(name)}: sent {sig}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AppControl(string op, string description, string done)
    {
        var command = new Command(op, description);
        Global.Connected(command, async (parse, client, ct) =>
        {
            try
            {
                await client.RequestAsync(op, cancellationToken: ct);
            }
            catch (CliException ex) when (ex.ExitCode == ExitCodes.NoApp)
            {
                // The app may close the connection as it acts; the request was received.
            }

            if (parse.GetValue(Global.Json))
            {
                Output.Json(new JsonObject());
            }
            else
            {
                Output.Line($"{client.App}: {done}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Wait()
    {
        var name = new Argument<string>("NAME") { Description = "The process." };
        var state = new Option<string>("--state") { Description = "The state to wait for: NotStarted, Starting, Running, Stopping, Backoff, Exited or Failed.", DefaultValueFactory = _ => "Running" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait (30s, 500ms, 2m); exit code 5 when it passes.", DefaultValueFactory = _ => "30s" };
        var command = new Command("wait", "Wait until a process is in a state (exit code 5 on timeout).") { name, state, timeout };
        Global.Connected(command, async (parse, client, ct) =>
        {
            var limit = Global.ParseDuration(parse.GetValue(timeout)!, "--timeout");
            var wanted = parse.GetValue(state)!;

            // The app times the wait; ours only guards against an app that never answers.
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(ct);
            guard.CancelAfter(limit + TimeSpan.FromSeconds(30));
            JsonNode? process;
            try
            {
                process = await client.RequestAsync(
                    "wait",
                    new JsonObject { ["name"] = parse.GetValue(name), ["state"] = wanted, ["timeout"] = limit.TotalSeconds },
                    guard.Token);
            }
            catch (AdminException ex) when (ex.Code == "timeout")
            {
                throw new CliException(ExitCodes.Timeout, string.Create(CultureInfo.InvariantCulture, $"{parse.GetValue(name)} was not {wanted} within {limit.TotalSeconds:0.###} s: {ex.Message}"));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Timeout, $"{client.App} did not answer the wait in time.");
            }

            if (parse.GetValue(Global.Json))
            {
                Output.Json(process);
            }
            else
            {
                Output.Line($"{parse.GetValue(name)}: {Formats.Text(process?["state"])} (pid {Formats.Number(process?["pid"])})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
