using System.CommandLine;
using System.Text.Json.Nodes;
using Firn.Cli.Commands;
using Spectre.Console;

namespace Firn.Cli.Rendering;

/// <summary>
/// A view refreshed every interval from samples of totals (<c>top</c>, <c>channels --watch</c>): a live table on a
/// terminal, a table per refresh in plain output, one JSON object per refresh with --json. Ends on Ctrl+C or after
/// --iterations refreshes.
/// </summary>
internal static class Live
{
    public static Option<string> IntervalOption() => new("--interval", "-i")
    {
        Description = "Time between samples; rates are per second over it (1s, 500ms, 2s).",
        DefaultValueFactory = _ => "1s",
    };

    public static Option<int> IterationsOption() => new("--iterations")
    {
        Description = "Stop after this many refreshes (0: until Ctrl+C).",
        DefaultValueFactory = _ => 0,
    };

    public delegate (TableView Table, JsonObject Json) Renderer(Sampling sampling, JsonArray items, double seconds);

    public static async Task<int> RunAsync(ParseResult parse, Sampling sampling, TimeSpan interval, int iterations, Renderer render, CancellationToken cancellationToken)
    {
        if (iterations < 0)
        {
            throw new CliException(ExitCodes.Usage, "--iterations must be 0 or more.");
        }

        if (interval <= TimeSpan.Zero)
        {
            throw new CliException(ExitCodes.Usage, "--interval must be more than 0.");
        }

        var json = parse.GetValue(Global.Json);
        var (first, _) = await sampling.SampleAsync(cancellationToken);
        sampling.Remember(first, Key);

        async Task<(TableView, JsonObject)> NextAsync()
        {
            await Task.Delay(interval, cancellationToken);
            var (items, seconds) = await sampling.SampleAsync(cancellationToken);
            var view = render(sampling, items, seconds);
            sampling.Remember(items, Key);
            view.Json["time"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
            return view;
        }

        try
        {
            if (Output.Fancy && !json && iterations != 1)
            {
                var placeholder = new TableView("sampling...").ToSpectre();
                await AnsiConsole.Live(placeholder).StartAsync(async context =>
                {
                    for (var i = 0; iterations == 0 || i < iterations; i++)
                    {
                        var (table, _) = await NextAsync();
                        context.UpdateTarget(table.ToSpectre());
                    }
                });
                return ExitCodes.Ok;
            }

            for (var i = 0; iterations == 0 || i < iterations; i++)
            {
                var (table, document) = await NextAsync();
                if (json)
                {
                    Output.Json(document);
                }
                else
                {
                    if (i > 0)
                    {
                        Output.Line("");
                    }

                    Output.Table(table);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a live view normally.
        }

        return ExitCodes.Ok;
    }

    private static string Key(JsonNode? item) => Formats.Text(item?["name"]);
}
