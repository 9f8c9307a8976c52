using System.Diagnostics;

namespace Firn.Benchmarks.Harness;

/// <summary>Finds the external programs the peers need.</summary>
internal static class Tools
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The first line a program prints for its version flag, or "unknown version".</summary>
    public static string Version(string program, string flag)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, flag) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "unknown version";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown version";
        }
    }
}
