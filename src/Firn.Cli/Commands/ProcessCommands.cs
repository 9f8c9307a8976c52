using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>ps</c>, <c>status</c>, <c>describe NAME</c>: what the app's processes are doing.</summary>
internal static class ProcessCommands
{
    public static IEnumerable<Command> Create()
    {
        var ps = new Command("ps", "List the app's processes: state, pid, restarts, uptime, last exit, CPU, memory.");
        Global.Connected(ps, async (parse, client, ct) =>
        {
            var result = await client.RequestAsync("ps", cancellationToken: ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Table(ProcessTable(result?["processes"] as JsonArray ?? []));
            }

            return ExitCodes.Ok;
        });
        yield return ps;

        var status = new Command("status", "The app (name, pid, version) and its processes; exit code 1 when a process has failed.");
        Global.Connected(status, async (parse, client, ct) =>
        {
            var result = await client.RequestAsync("ps", cancellationToken: ct);
            var processes = result?["processes"] as JsonArray ?? [];
            var failed = processes.Count(p => Formats.Text(p?["state"]) == "Failed");
            if (parse.GetValue(Global.Json))
            {
                Output.Json(new JsonObject
                {
                    ["app"] = client.Hello["app"]?.DeepClone(),
                    ["pid"] = client.Hello["pid"]?.DeepClone(),
                    ["version"] = client.Hello["version"]?.DeepClone(),
                    ["processes"] = processes.DeepClone(),
                });
            }
            else
            {
                var running = processes.Count(p => Formats.Text(p?["state"]) == "Running");
                Output.Line(Formats.Invariant($"{Formats.Text(client.Hello["app"])} (pid {Formats.Number(client.Hello["pid"])}, Firn {Formats.Text(client.Hello["version"])}): {processes.Count} processes, {running} running, {failed} failed"));
                Output.Table(ProcessTable(processes));
            }

            return failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        yield return status;

        var name = new Argument<string>("NAME") { Description = "The process." };
        var host = new Option<string?>("--host") { Description = "The host (main process on Redis) whose process it is, when several have one of that name." };
        var describe = new Command("describe", "Everything about one process: state, command, restart policy, channels.") { name, host };
        Global.Connected(describe, async (parse, client, ct) =>
        {
            var arguments = new JsonObject { ["name"] = parse.GetValue(name) };
            if (parse.GetValue(host) is { } hostName)
            {
                arguments["host"] = hostName;
            }

            var result = await client.RequestAsync("describe", arguments, ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
                return ExitCodes.Ok;
            }

            var table = new TableView("FIELD", "VALUE");
            if (result is JsonObject process)
            {
                foreach (var (field, value) in process)
                {
                    table.Add(field, field switch
                    {
                        "uptime" => Formats.Duration(Formats.Double(value)),
                        "memoryBytes" => Formats.Bytes(Formats.Double(value)),
                        "lastExit" => Formats.LastExit(value),
                        "command" or "channels" when value is JsonArray items => string.Join(' ', items.Select(Formats.Text)),
                        _ => Formats.Text(value),
                    });
                }
            }

            Output.Table(table);
            return ExitCodes.Ok;
        });
        yield return describe;
    }

    /// <summary>The processes as a table; with a HOST column when the app is on Redis (its processes have hosts).</summary>
    public static TableView ProcessTable(JsonArray processes)
    {
        var hosts = processes.Any(p => p?["host"] is not null);
        string[] columns = hosts
            ? ["NAME", "HOST", "STATE", "PID", "RESTARTS", "UPTIME", "LAST EXIT", "CPU", "MEMORY"]
            : ["NAME", "STATE", "PID", "RESTARTS", "UPTIME", "LAST EXIT", "CPU", "MEMORY"];
        var table = new TableView(columns)
        {
            RightAligned = new HashSet<string> { "PID", "RESTARTS", "UPTIME", "CPU", "MEMORY" },
        };
        foreach (var p in processes)
        {
            var cpu = Formats.Double(p?["cpuSeconds"]);
            string[] first = hosts ? [Formats.Text(p?["name"]), Formats.Text(p?["host"])] : [Formats.Text(p?["name"])];
            table.Add(
                [.. first,
                Formats.Text(p?["state"]),
                Formats.Number(p?["pid"]),
                Formats.Number(p?["restarts"]),
                Formats.Duration(Formats.Double(p?["uptime"])),
                Formats.LastExit(p?["lastExit"]),
                cpu is { } c ? Formats.Invariant($"{c:0.00}s") : Formats.None,
                Formats.Bytes(Formats.Double(p?["memoryBytes"]))]);
        }

        return table;
    }
}
