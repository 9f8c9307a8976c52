using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>rpc list</c>, <c>rpc call METHOD ARGS</c>: the app's RPC methods.</summary>
internal static class RpcCommands
{
    public static Command Create()
    {
        var rpc = new Command("rpc", "List and call the app's RPC methods.");

        var list = new Command("list", "The registered methods and the process that serves each.");
        Global.Connected(list, async (parse, client, ct) =>
        {
            var result = await client.RequestAsync("rpc.list", cancellationToken: ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
                return ExitCodes.Ok;
            }

            var table = new TableView("METHOD", "OWNER");
            foreach (var method in (result?["methods"] as JsonArray ?? []).OrderBy(m => Formats.Text(m?["name"]), StringComparer.Ordinal))
            {
                table.Add(Formats.Text(method?["name"]), Formats.Text(method?["owner"]));
            }

            Output.Table(table);
            return ExitCodes.Ok;
        });
        rpc.Subcommands.Add(list);

        var method = new Argument<string>("METHOD") { Description = "The method's name." };
        var args = new Argument<string>("ARGS") { Description = "The arguments as a JSON array ('[1, \"two\"]'); one non-array value is one argument.", DefaultValueFactory = _ => "[]", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<string?>("--timeout") { Description = "How long the call may take (30s); exit code 5 when it passes." };
        var call = new Command("call", "Call a method and print its result as JSON (exit code 1 when it throws).") { method, args, timeout };
        Global.Safe(call, async (parse, ct) =>
        {
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(parse.GetValue(args)!);
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Usage, $"ARGS is not JSON ({ex.Message}). Pass a JSON array, e.g. '[1, \"two\"]'.");
            }

            var request = new JsonObject { ["method"] = parse.GetValue(method), ["args"] = parsed as JsonArray ?? [parsed] };
            if (parse.GetValue(timeout) is { } t)
            {
                request["timeout"] = Global.ParseDuration(t, "--timeout").TotalSeconds;
            }

            await using var client = await Connection.AppLocator.ConnectAsync(Global.Directory(parse), parse.GetValue(Global.App), ct);
            var result = await client.RequestAsync("rpc.call", request, ct);
            Output.Json(parse.GetValue(Global.Json) ? result : result?["result"]);
            return ExitCodes.Ok;
        });
        rpc.Subcommands.Add(call);
        return rpc;
    }
}
