using System.Globalization;
using System.Text.Json.Nodes;

namespace Firn.Cli.Rendering;

/// <summary>How numbers, durations, sizes and values read in tables.</summary>
internal static class Formats
{
    public const string None = "-";

    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || s < 0)
        {
            return None;
        }

        var t = TimeSpan.FromSeconds(s);
        return t.TotalDays >= 1 ? Invariant($"{(int)t.TotalDays}d{t.Hours}h")
            : t.TotalHours >= 1 ? Invariant($"{(int)t.TotalHours}h{t.Minutes:00}m")
            : t.TotalMinutes >= 1 ? Invariant($"{(int)t.TotalMinutes}m{t.Seconds:00}s")
            : Invariant($"{s:0.0}s");
    }

    public static string Bytes(double? bytes)
    {
        if (bytes is not { } b)
        {
            return None;
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (b >= 1024 && unit < units.Length - 1)
        {
            b /= 1024;
            unit++;
        }

        return unit == 0 ? Invariant($"{b:0} B") : Invariant($"{b:0.0} {units[unit]}");
    }

    public static string Rate(double perSecond) => Invariant($"{perSecond:0.0}");

    public static string Number(JsonNode? node) => node is null ? None : Output.JsonText(node);

    public static string Text(JsonNode? node) => node is null ? None : node is JsonValue v && v.TryGetValue<string>(out var s) ? s : Output.JsonText(node);

    public static double? Double(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A process's last exit: "exit 1", "signal 9 (KILL)", or the reason alone.</summary>
    public static string LastExit(JsonNode? lastExit)
    {
        if (lastExit is not JsonObject exit)
        {
            return None;
        }

        var reason = Text(exit["reason"]);
        if (exit["signal"] is JsonValue signal && signal.TryGetValue<int>(out var number))
        {
            return Invariant($"{reason}, signal {number}");
        }

        if (exit["code"] is JsonValue code && code.TryGetValue<int>(out var c))
        {
            return Invariant($"{reason}, exit {c}");
        }

        return reason;
    }
}
