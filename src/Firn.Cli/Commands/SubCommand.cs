using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>sub PATTERN</c>: print the app's publications on matching topics as they come, until Ctrl+C.</summary>
internal static class SubCommand
{
    public static Command Create()
    {
        var pattern = new Argument<string>("PATTERN") { Description = "A topic pattern with * and ? (quote it for the shell)." };
        var command = new Command("sub", "Tail the publications on topics that match (--json: one object per line).") { pattern };
        Global.Connected(command, async (parse, client, ct) =>
        {
            await client.RequestAsync("sub", new JsonObject { ["pattern"] = parse.GetValue(pattern) }, ct);
            var json = parse.GetValue(Global.Json);
            await foreach (var item in client.ReadItemsAsync(ct))
            {
                if (json)
                {
                    Output.Json(item);
                }
                else
                {
                    Output.Line($"{Formats.Text(item?["topic"])} {Output.JsonText(item?["value"])}");
                    Console.Out.Flush();
                }
            }

            throw new CliException(ExitCodes.NoApp, $"{client.App} closed the subscription (it stopped?).");
        });
        return command;
    }
}
