using System.Globalization;
using System.Text;

namespace Firn.Admin;

/// <summary>
/// Client-chosen text (keys, method names, process names, an op) as the app's log shows it: one line, whatever it holds,
/// so that a key with a newline cannot forge a second audit line and an ESC sequence never reaches a terminal raw.
/// </summary>
internal static class AdminText
{
    /// <summary><paramref name="text"/> in single quotes, with <c>\</c>, <c>'</c> and control characters escaped (<c>\n</c>, <c>\u001b</c>).</summary>
    public static string Quote(string text) => "'" + Escape(text, quotes: true) + "'";

    /// <summary><paramref name="text"/> with control characters and line or paragraph separators escaped (and with <paramref name="quotes"/>, <c>\</c> and <c>'</c>).</summary>
    public static string Escape(string text, bool quotes = false)
    {
        if (!NeedsEscape(text, quotes))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' or '\'' when quotes => escaped.Append('\\').Append(c),
                '\n' => escaped.Append(@"\n"),
                '\r' => escaped.Append(@"\r"),
                '\t' => escaped.Append(@"\t"),
                _ when IsUnsafe(c) => escaped.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(string text, bool quotes)
    {
        foreach (var c in text)
        {
            if ((quotes && c is '\\' or '\'') || IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
