using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>channels [--watch]</c>: each channel's members, queue, unconsumed messages and rates (from two samples).</summary>
internal static class ChannelsCommand
{
    public static Command Create()
    {
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh until Ctrl+C (or --iterations)." };
        var interval = Live.IntervalOption();
        var iterations = Live.IterationsOption();
        var command = new Command("channels", "The app's channels: members, queued, unconsumed, messages/s sent and consumed.") { watch, interval, iterations };
        Global.Connected(command, async (parse, client, ct) =>
        {
            var sampling = new Sampling(client, "channels", "channels");
            var count = parse.GetValue(watch) ? parse.GetValue(iterations) : 1;
            return await Live.RunAsync(parse, sampling, Global.ParseDuration(parse.GetValue(interval)!, "--interval"), count, Render, ct);
        });
        return command;
    }

    private static (TableView Table, JsonObject Json) Render(Sampling sampling, JsonArray channels, double seconds)
    {
        var table = new TableView("CHANNEL", "TYPE", "MEMBERS", "QUEUED", "UNCONSUMED", "SENT/S", "CONSUMED/S", "CLOSED")
        {
            RightAligned = new HashSet<string> { "QUEUED", "UNCONSUMED", "SENT/S", "CONSUMED/S" },
        };
        var json = new JsonArray();
        foreach (var channel in channels)
        {
            var name = Formats.Text(channel?["name"]);
            var sent = sampling.Rate(name, channel, seconds, "sent");
            var consumed = sampling.Rate(name, channel, seconds, "consumed");
            // On Redis a member is written HOST/PROCESS(MODE): every host's members are listed.
            var members = (channel?["members"] as JsonArray ?? []).Select(m => m?["host"] is null
                ? $"{Formats.Text(m?["process"])}({Formats.Text(m?["mode"])})"
                : $"{Formats.Text(m?["host"])}/{Formats.Text(m?["process"])}({Formats.Text(m?["mode"])})");
            table.Add(
                name,
                Formats.Text(channel?["type"]),
                string.Join(' ', members),
                Formats.Number(channel?["queued"]),
                Formats.Number(channel?["unconsumed"]),
                Formats.Rate(sent),
                Formats.Rate(consumed),
                Formats.Text(channel?["closed"]));
            var item = channel!.DeepClone().AsObject();
            item["sentPerSecond"] = Math.Round(sent, 3);
            item["consumedPerSecond"] = Math.Round(consumed, 3);
            json.Add(item);
        }

        return (table, new JsonObject { ["channels"] = json });
    }
}
