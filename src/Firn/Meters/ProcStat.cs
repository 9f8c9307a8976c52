using System.Globalization;
using System.Runtime.InteropServices;

namespace Firn.Meters;

/// <summary>A process's CPU time and resident memory, read from <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c> (Linux).</summary>
internal static partial class ProcStat
{
    private const int ScClockTicks = 2;

    /// <summary>Clock ticks per second, the unit of the CPU times in <c>/proc/&lt;pid&gt;/stat</c> (USER_HZ: 100 on every Linux architecture .NET runs on).</summary>
    private static readonly double TicksPerSecond = ReadTicksPerSecond();

    /// <summary>The user and system CPU time of <paramref name="pid"/>, or <see langword="null"/> if it is gone or unreadable.</summary>
    public static (double User, double System)? ReadCpuSeconds(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseCpuSeconds(text, TicksPerSecond);
    }

    /// <summary>Parses <c>/proc/&lt;pid&gt;/stat</c>: utime and stime are fields 14 and 15, counted after the command, which may hold spaces and parentheses.</summary>
    public static (double User, double System)? ParseCpuSeconds(string stat, double ticksPerSecond)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") " come fields 3 (state), 4, ...: utime is the 12th of them, stime the 13th.
        var fields = stat.AsSpan(close + 1).Trim();
        Span<Range> ranges = stackalloc Range[14];
        if (fields.Split(ranges, ' ', StringSplitOptions.RemoveEmptyEntries) < 14
            || !long.TryParse(fields[ranges[11]], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[ranges[12]], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return (user / ticksPerSecond, system / ticksPerSecond);
    }

    /// <summary>The resident set size of <paramref name="pid"/> in bytes (<c>VmRSS</c>), or <see langword="null"/> if it is gone or unreadable.</summary>
    public static long? ReadResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var value = line.AsSpan(6).Trim();
                    var space = value.IndexOf(' ');
                    return long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static double ReadTicksPerSecond()
    {
        try
        {
            var ticks = SysConf(ScClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
