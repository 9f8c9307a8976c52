using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>logs [NAME] [-f] [--lines N]</c>: the recent lines the main process keeps per process, and new ones as they come.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "The process (default: all, the main process included).", Arity = ArgumentArity.ZeroOrOne };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until Ctrl+C." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many recent lines to print first.", DefaultValueFactory = _ => 100 };
        var command = new Command("logs", "Print a process's recent log lines (--json: one LogLine object per line).") { name, follow, lines };
        Global.Connected(command, async (parse, client, ct) =>
        {
            if (parse.GetValue(lines) < 0)
            {
                throw new CliException(ExitCodes.Usage, "--lines must be 0 or more.");
            }

            var json = parse.GetValue(Global.Json);
            var request = new JsonObject { ["lines"] = parse.GetValue(lines), ["follow"] = parse.GetValue(follow) };
            if (parse.GetValue(name) is { } process)
            {
                request["name"] = process;
            }

            var result = await client.RequestAsync("logs", request, ct);
            foreach (var line in result?["lines"] as JsonArray ?? [])
            {
                Print(line, json);
            }

            if (!parse.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            await foreach (var line in client.ReadItemsAsync(ct))
            {
                Print(line, json);
            }

            throw new CliException(ExitCodes.NoApp, $"{client.App} closed the log stream (it stopped?).");
        });
        return command;
    }

    private static void Print(JsonNode? line, bool json)
    {
        if (json)
        {
            Output.Json(line);
            return;
        }

        var time = Formats.Text(line?["time"]);
        if (DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
        {
            time = t.ToUniversalTime().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        }

        var category = line?["category"] is { } c ? $" {Formats.Text(c)}:" : "";
        Output.Line($"{time} {Formats.Text(line?["process"])} {Formats.Text(line?["level"])}{category} {Formats.Text(line?["message"])}");
        Console.Out.Flush();
    }
}
