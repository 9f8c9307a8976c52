using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>top</c>: a live table per process of messages/s, calls/s, queue depth, CPU and memory.</summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var interval = Live.IntervalOption();
        var iterations = Live.IterationsOption();
        var command = new Command("top", "A live table per process: messages/s, calls/s, queue depth, CPU, memory (Ctrl+C ends it).") { interval, iterations };
        Global.Connected(command, async (parse, client, ct) =>
            await Live.RunAsync(parse, new Sampling(client, "top", "processes"), Global.ParseDuration(parse.GetValue(interval)!, "--interval"), parse.GetValue(iterations), Render, ct));
        return command;
    }

    private static (TableView Table, JsonObject Json) Render(Sampling sampling, JsonArray processes, double seconds)
    {
        var table = new TableView("NAME", "PID", "SENT/S", "RECEIVED/S", "CALLS/S", "SERVED/S", "QUEUED", "CPU%", "MEMORY")
        {
            RightAligned = new HashSet<string> { "PID", "SENT/S", "RECEIVED/S", "CALLS/S", "SERVED/S", "QUEUED", "CPU%", "MEMORY" },
        };
        var json = new JsonArray();
        foreach (var process in processes)
        {
            var name = Formats.Text(process?["name"]);
            var sent = sampling.Rate(name, process, seconds, "messagesSent");
            var received = sampling.Rate(name, process, seconds, "messagesConsumed");
            var calls = sampling.Rate(name, process, seconds, "callsMade");
            var served = sampling.Rate(name, process, seconds, "callsServed");
            var cpu = sampling.Rate(name, process, seconds, "cpuSeconds") * 100;
            table.Add(
                name,
                Formats.Number(process?["pid"]),
                Formats.Rate(sent),
                Formats.Rate(received),
                Formats.Rate(calls),
                Formats.Rate(served),
                Formats.Number(process?["queued"]),
                process?["cpuSeconds"] is null ? Formats.None : Formats.Invariant($"{cpu:0.0}"),
                Formats.Bytes(Formats.Double(process?["memoryBytes"])));
            json.Add(new JsonObject
            {
                ["name"] = name,
                ["pid"] = process?["pid"]?.DeepClone(),
                ["messagesSentPerSecond"] = Math.Round(sent, 3),
                ["messagesConsumedPerSecond"] = Math.Round(received, 3),
                ["callsMadePerSecond"] = Math.Round(calls, 3),
                ["callsServedPerSecond"] = Math.Round(served, 3),
                ["queued"] = process?["queued"]?.DeepClone(),
                ["cpuPercent"] = process?["cpuSeconds"] is null ? null : Math.Round(cpu, 1),
                ["memoryBytes"] = process?["memoryBytes"]?.DeepClone(),
            });
        }

        return (table, new JsonObject { ["processes"] = json });
    }
}
