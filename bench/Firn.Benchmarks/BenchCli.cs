using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Firn.Benchmarks.Cases;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Report;

namespace Firn.Benchmarks;

/// <summary>The benchmark's command line: which cases, how many runs, where the results go; exit code 1 if a Firn case failed.</summary>
internal static class BenchCli
{
    private const string Usage = """
        usage: Firn.Benchmarks [all | CASE...] [--quick] [--runs N] [--out DIR] [--only NAMES] [--sizes N,N...]
          all        every case (default): B1 B2 B3 B4 B5 B6 B7 B8 S1 S2 S3
          CASE       some of them, e.g. B1 B2 S1
          --quick    small counts and 2 runs: a smoke test (about a minute); figures are not comparable with a full run
          --runs N   repetitions per case (default 5; 2 with --quick)
          --out DIR  where latest.json, latest.md and ratios.svg go (default bench/results, or results/ beside the program)
          --only NAMES  run only these contestants, e.g. firn or firn,raw (for profiling); the others show as skipped
          --sizes N,N   S1/S2: only these message sizes in bytes, e.g. 32768,1048576 (for profiling; a partial run)
        Exit code: 0 when every Firn case ran (targets missed or peers skipped are reported, not failures); 1 otherwise.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = false;
        int? runs = null;
        string? output = null;
        HashSet<string>? only = null;
        int[]? sizes = null;
        var selected = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--runs" when i + 1 < args.Length:
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--only" when i + 1 < args.Length:
                    only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)];
                    break;
                case "--sizes" when i + 1 < args.Length:
                    sizes = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "all":
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    if (args[i].StartsWith('-'))
                    {
                        Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}");
                        return 64;
                    }

                    selected.Add(args[i].ToUpperInvariant());
                    break;
            }
        }

        var settings = (quick ? BenchSettings.QuickRun(runs) : BenchSettings.Full(runs)) with { Only = only, Sizes = sizes, Partial = only is not null || sizes is not null || selected.Count > 0 };
        if (settings.Runs < 1 || (!quick && settings.Runs < 5))
        {
            Console.Error.WriteLine("A full run needs at least 5 runs per case (use --quick for fewer).");
            return 64;
        }

        var cases = AllCases(settings).Where(c => selected.Count == 0 || selected.Contains(c.Id)).ToList();
        if (cases.Count == 0)
        {
            Console.Error.WriteLine($"no such case: {string.Join(' ', selected)}\n{Usage}");
            return 64;
        }

        // Children inherit this: Firn's own log shows warnings and errors only.
        Environment.SetEnvironmentVariable("FIRN_LOG_LEVEL", "Warning");
        using var context = new BenchContext(settings);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, stop, context));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, stop, context));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => context.Processes.KillAll();

        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Collect(settings);
        CaseRunner.Progress($"Firn benchmarks: {(quick ? "quick smoke test" : "full run")}, {settings.Runs} runs per case; {machine.Summary}");
        var results = new ResultSet();
        try
        {
            foreach (var benchCase in cases)
            {
                results.Cases.Add((benchCase, await CaseRunner.RunAsync(benchCase, context, stop.Token)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            CaseRunner.Progress("Interrupted: every child process was stopped; no results written.");
            return 130;
        }

        var outcomes = cases.SelectMany(c => c.Targets).Select(t => TargetOutcome.Evaluate(t, results)).ToList();
        var report = new BenchReport(machine, settings, results, outcomes, clock.Elapsed);
        var markdown = MarkdownReport.Render(report);
        Console.WriteLine(markdown);

        var directory = output ?? DefaultOutputDirectory(quick ? "quick" : settings.Partial ? "partial" : null);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.json"), JsonReport.Render(report));
        await File.WriteAllTextAsync(Path.Combine(directory, "ratios.svg"), SvgChart.Render(report));
        CaseRunner.Progress($"Wrote {Path.Combine(directory, "latest.md")}, latest.json and ratios.svg; total {clock.Elapsed.TotalSeconds:0} s.");

        var failed = results.All.Where(r => (r.Contestant is Harness.Contestant.FirnName or Harness.Contestant.FirnRedisName) && (r.Failed is not null || r.FailedSizes.Count > 0)).ToList();
        foreach (var failure in failed)
        {
            if (failure.Failed is not null)
            {
                CaseRunner.Progress($"FAILED: {failure.Case} {failure.Contestant}: {failure.Failed}");
            }

            foreach (var (size, error) in failure.FailedSizes)
            {
                CaseRunner.Progress($"FAILED: {failure.Case} {failure.Contestant} at {Format.Size(size)}: {error}");
            }
        }

        return failed.Count == 0 ? 0 : 1;
    }

    public static IReadOnlyList<BenchCase> AllCases(BenchSettings settings) =>
    [
        new B1Throughput(),
        new B2RoundTrip(),
        new B3Store(),
        new B4Rpc(),
        new B5PubSub(),
        new B6Start(),
        new B7Memory(),
        new B8FanIn(settings.FanInChildren),
        new S1ThroughputSweep(settings.SweepSizes),
        new S2RoundTripSweep(settings.SweepSizes),
        new S3LargeRpc(),
    ];

    private static void Stop(PosixSignalContext signal, CancellationTokenSource stop, BenchContext context)
    {
        signal.Cancel = true;
        stop.Cancel();
        context.Processes.KillAll();
    }

    /// <summary>
    /// bench/results in the repository (found from the working directory up), else results/ in the working directory; quick
    /// runs and partial ones (some cases or contestants) go to a <paramref name="subfolder"/>, so only a full suite replaces the committed results.
    /// </summary>
    private static string DefaultOutputDirectory(string? subfolder)
    {
        var results = Path.Combine(Environment.CurrentDirectory, "results");
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Firn.slnx")))
            {
                results = Path.Combine(directory.FullName, "bench", "results");
                break;
            }
        }

        return subfolder is null ? results : Path.Combine(results, subfolder);
    }
}
