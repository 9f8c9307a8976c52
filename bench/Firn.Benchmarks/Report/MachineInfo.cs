using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Report;

/// <summary>The conditions of a run: machine, runtime, commit, settings.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, double MemoryGb, string Os, string Runtime, string Commit, DateTime StartedUtc, bool Quick, int Runs)
{
    public string Summary => Format.Invariantly($"{Cores} × {Cpu}, {MemoryGb:0} GB, {Os}, {Runtime}, commit {Commit}");

    public static MachineInfo Collect(BenchSettings settings) => new(
        ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        double.Parse((ReadField("/proc/meminfo", "MemTotal") ?? "0").Split(' ')[0], CultureInfo.InvariantCulture) / 1024 / 1024,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GitCommit(),
        DateTime.UtcNow,
        settings.Quick,
        settings.Runs);

    private static string? ReadField(string file, string name)
    {
        try
        {
            return File.ReadLines(file)
                .Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}

/// <summary>Everything a report shows.</summary>
internal sealed record BenchReport(MachineInfo Machine, BenchSettings Settings, ResultSet Results, IReadOnlyList<TargetOutcome> Outcomes, TimeSpan Elapsed)
{
    public MetricInfo? Metric(MetricRef reference) =>
        Results.Cases.Where(c => c.Case.Id == reference.Case).SelectMany(c => c.Case.Metrics).FirstOrDefault(m => m.Key == reference.Metric);

    public string Figure(MetricRef reference, double value) => Format.Number(value, Metric(reference)?.Unit ?? string.Empty);

    /// <summary>"≥ 20×" for a ratio, "≤ 8 MB" for a limit on one figure.</summary>
    public string Goal(Target target) =>
        target.Denominator is null ? (target.AtMost ? "≤ " : "≥ ") + Figure(target.Numerator, target.Goal) : target.GoalText;
}
