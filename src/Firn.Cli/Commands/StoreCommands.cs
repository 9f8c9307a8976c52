using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>store get|keys|set|del</c>: the app's shared store. Writes change a running app, so they need --write.</summary>
internal static class StoreCommands
{
    public static Command Create()
    {
        var store = new Command("store", "Read (and, with --write, change) the app's shared key-value store.");
        store.Subcommands.Add(Get());
        store.Subcommands.Add(Keys());
        store.Subcommands.Add(Set());
        store.Subcommands.Add(Del());
        return store;
    }

    private static Command Get()
    {
        var key = new Argument<string>("KEY") { Description = "The key." };
        var command = new Command("get", "Print a key's value as JSON (exit code 4 when the key is not there).") { key };
        Global.Connected(command, async (parse, client, ct) =>
        {
            var result = await client.RequestAsync("store.get", new JsonObject { ["key"] = parse.GetValue(key) }, ct);
            var found = result?["found"] is JsonValue f && f.GetValue<bool>();
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else if (found)
            {
                Output.Line(Output.JsonText(result?["value"]));
            }

            if (!found)
            {
                throw new CliException(ExitCodes.NotFound, $"The store has no key '{parse.GetValue(key)}'.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Keys()
    {
        var pattern = new Argument<string>("PATTERN") { Description = "A pattern with * and ? (quote it for the shell).", DefaultValueFactory = _ => "*", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("keys", "List the keys that match a pattern, one per line.") { pattern };
        Global.Connected(command, async (parse, client, ct) =>
        {
            var result = await client.RequestAsync("store.keys", new JsonObject { ["pattern"] = parse.GetValue(pattern) }, ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else
            {
                foreach (var k in (result?["keys"] as JsonArray ?? []).Select(Formats.Text).Order(StringComparer.Ordinal))
                {
                    Output.Line(k);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set()
    {
        var key = new Argument<string>("KEY") { Description = "The key." };
        var value = new Argument<string>("JSON") { Description = "The value as JSON: \"text\" (quoted), 42, 1.5, true, {...}, [...]." };
        var ttl = new Option<string?>("--ttl") { Description = "Expire the key after this long (30s, 5m)." };
        var write = WriteOption();
        var command = new Command("set", "Set a key to a JSON value (needs --write).") { key, value, ttl, write };
        Global.Safe(command, async (parse, ct) =>
        {
            RequireWrite(parse, write, "store set");
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(parse.GetValue(value)!);
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Usage, $"The value is not JSON ({ex.Message}). A string needs JSON quotes: '\"text\"'.");
            }

            var request = new JsonObject { ["key"] = parse.GetValue(key), ["value"] = node };
            if (parse.GetValue(ttl) is { } t)
            {
                request["ttl"] = Global.ParseDuration(t, "--ttl").TotalSeconds;
            }

            await using var client = await Connection.AppLocator.ConnectAsync(Global.Directory(parse), parse.GetValue(Global.App), ct);
            var result = await client.RequestAsync("store.set", request, ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else
            {
                Output.Line($"{parse.GetValue(key)}: set");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Del()
    {
        var key = new Argument<string>("KEY") { Description = "The key." };
        var write = WriteOption();
        var command = new Command("del", "Delete a key (needs --write; exit code 4 when it was not there).") { key, write };
        Global.Safe(command, async (parse, ct) =>
        {
            RequireWrite(parse, write, "store del");
            await using var client = await Connection.AppLocator.ConnectAsync(Global.Directory(parse), parse.GetValue(Global.App), ct);
            var result = await client.RequestAsync("store.del", new JsonObject { ["key"] = parse.GetValue(key) }, ct);
            var deleted = result?["deleted"] is JsonValue d && d.GetValue<bool>();
            if (parse.GetValue(Global.Json))
            {
                Output.Json(result);
            }
            else if (deleted)
            {
                Output.Line($"{parse.GetValue(key)}: deleted");
            }

            return deleted ? ExitCodes.Ok : throw new CliException(ExitCodes.NotFound, $"The store has no key '{parse.GetValue(key)}'.");
        });
        return command;
    }

    private static Option<bool> WriteOption() => new("--write") { Description = "Confirm that this changes the running app's store." };

    private static void RequireWrite(ParseResult parse, Option<bool> write, string what)
    {
        if (!parse.GetValue(write))
        {
            throw new CliException(ExitCodes.Usage, $"'{what}' changes the running app's store: add --write to do it.");
        }
    }
}
