using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Firn.Cli.Rendering;

/// <summary>
/// Where and how firnctl writes. Tables and live views with colour and boxes only on a terminal; plain aligned text
/// when standard output is redirected, when NO_COLOR is set or TERM is dumb (scripts, pipes, logs).
/// </summary>
internal static class Output
{
    // Relaxed: a script reads "+" and non-ASCII text as they are, not as \u escapes (nothing here is HTML).
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool Fancy { get; } =
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>One line of plain output; control characters in it are escaped (<see cref="Terminal"/>).</summary>
    public static void Line(string text) => Console.Out.WriteLine(Terminal.Escape(text));

    /// <summary>One JSON document (or one line of a JSON-lines stream), compact, on one line.</summary>
    public static void Json(JsonNode? node)
    {
        Console.Out.WriteLine(JsonText(node));
        Console.Out.Flush();
    }

    /// <summary>A value as compact JSON text, as <see cref="Json"/> writes it.</summary>
    public static string JsonText(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";

    /// <summary>An error on standard error after <c>firnctl: </c>; control characters other than firnctl's own line breaks are escaped.</summary>
    public static void Error(string text) => Console.Error.WriteLine("firnctl: " + Terminal.EscapeLines(text));

    public static void Table(TableView table)
    {
        if (Fancy)
        {
            AnsiConsole.Write(table.ToSpectre());
        }
        else
        {
            Console.Out.Write(table.ToPlain());
        }

        Console.Out.Flush();
    }
}
