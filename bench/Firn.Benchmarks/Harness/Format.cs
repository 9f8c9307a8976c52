using System.Globalization;

namespace Firn.Benchmarks.Harness;

/// <summary>Number formatting for the report (invariant culture, units scaled to stay readable).</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Number(double value, string unit) => unit switch
    {
        "msg/s" or "ops/s" or "calls/s" or "deliveries/s" => Rate(value) + " " + unit,
        "µs" => value.ToString(value < 100 ? "0.0" : "0", Invariant) + " µs",
        "ms" => value.ToString(value < 100 ? "0.0" : "0", Invariant) + " ms",
        "MB/s" or "MB" or "KB" => value.ToString(Math.Abs(value) < 10 ? "0.00" : "0.0", Invariant) + " " + unit,
        _ => value.ToString("0.###", Invariant) + (unit.Length > 0 ? " " + unit : string.Empty),
    };

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("0.00", Invariant) + " M",
        >= 1e3 => (perSecond / 1e3).ToString("0.0", Invariant) + " k",
        _ => perSecond.ToString("0", Invariant),
    };

    /// <summary>A ratio as "12.3×", or a plain figure when the target compares one value with a limit.</summary>
    public static string Ratio(double value, bool isRatio = true) =>
        value.ToString(value >= 10 ? "0.0" : "0.00", Invariant) + (isRatio ? "×" : string.Empty);

    public static string Invariantly(FormattableString text) => text.ToString(Invariant);

    public static double ParseDouble(string text) => double.Parse(text, NumberStyles.Float, Invariant);

    public static string Size(int bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes >> 20} MiB",
        >= 1 << 10 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };
}
