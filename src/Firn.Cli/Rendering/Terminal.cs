using System.Globalization;
using System.Text;

namespace Firn.Cli.Rendering;

/// <summary>
/// Text from the app (keys, log lines, values, names, error messages) made safe for a terminal: control characters
/// (ESC above all) and line separators are written as escapes (<c>\n</c>, <c>\u001b</c>), so nothing the app or a client
/// of it stored can move the cursor, clear the screen or forge a line. (--json output is escaped by JSON itself.)
/// </summary>
internal static class Terminal
{
    public static string Escape(string text)
    {
        if (!text.Any(IsUnsafe))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append(@"\n"),
                '\r' => escaped.Append(@"\r"),
                '\t' => escaped.Append(@"\t"),
                _ when IsUnsafe(c) => escaped.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>As <see cref="Escape"/>, line by line: firnctl's own multi-line messages keep their line breaks.</summary>
    public static string EscapeLines(string text) => string.Join('\n', text.Split('\n').Select(Escape));

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
