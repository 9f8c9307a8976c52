using System.Globalization;

namespace Firn.Benchmarks.Harness;

/// <summary>This process's resident set, from /proc/self/status.</summary>
internal static class Rss
{
    public static double CurrentMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }

        throw new InvalidOperationException("No VmRSS in /proc/self/status.");
    }
}
