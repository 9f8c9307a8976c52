using System.Collections;
using System.Globalization;

namespace Firn.TestChild.Contracts;

/// <summary>How contract operations write values as text, and read the typed arguments of RPC calls.</summary>
public static class ContractValues
{
    /// <summary>A value as text: numbers invariant, a byte array as its length, a point as "x,y", lists and maps spelled out.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Its text.</returns>
    public static string Format(object? value) => value switch
    {
        null => "<null>",
        string text => text,
        bool flag => flag ? "true" : "false",
        byte[] bytes => $"bytes[{bytes.Length}]",
        Point point => $"{point.X},{point.Y}",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(',', map.Keys.Cast<object>().Select(key => $"{Format(key)}:{Format(map[key])}")) + "}",
        IEnumerable items => "[" + string.Join(',', items.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// Reads one RPC argument: "i:5" an int, "s:text" a string, "null", "b:10" a byte array of that length, "p:1,2" a
    /// point, "sa:a,b" a string array, "ch:name" the caller's <see cref="Channel{T}"/> of strings of that name.
    /// </summary>
    /// <param name="app">The calling process's app (for channels).</param>
    /// <param name="text">The encoded argument.</param>
    /// <returns>The argument.</returns>
    public static object? Argument(FirnApp app, string text)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(text);
        if (text == "null")
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (tag, body) = (text[..colon], text[(colon + 1)..]);
        return tag switch
        {
            "i" => Int(body),
            "s" => body,
            "b" => new byte[Int(body)],
            "p" => ParsePoint(body),
            "sa" => body.Split(','),
            "ch" => app.GetChannel<string>(body),
            _ => throw new ArgumentException($"Unknown argument tag '{tag}'.", nameof(text)),
        };
    }

    internal static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    internal static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    internal static Point ParsePoint(string text)
    {
        var parts = text.Split(',');
        return new Point(Int(parts[0]), Int(parts[1]));
    }

    /// <summary>A time span in milliseconds; empty is none, -1 is infinite.</summary>
    internal static TimeSpan? Milliseconds(string text) => text.Length == 0 ? null : text == "-1" ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Long(text));
}
