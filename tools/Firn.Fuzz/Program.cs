using System.Diagnostics;
using Firn;
using Firn.Fuzzing;

// Runs the seeded fuzzers for a while, or replays one case.
//   dotnet run -c Release --project tools/Firn.Fuzz -- [--target all|decoder|connection|dispatcher] [--seed N] [--seconds S] [--case I]
// Without --seed a seed is chosen and printed. Every failure prints the command that replays it. The exit code is 1
// if any case failed.
var options = FuzzOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Firn.Fuzz [--target all|decoder|connection|dispatcher] [--seed N] [--seconds S] [--case I]");
    return 2;
}

var failures = 0;
var unobserved = 0;
TaskScheduler.UnobservedTaskException += (_, e) =>
{
    Interlocked.Increment(ref unobserved);
    Console.WriteLine($"UNOBSERVED TASK EXCEPTION: {e.Exception}");
};

Console.WriteLine($"seed {options.Seed}, targets {string.Join(", ", options.Targets)}{(options.Case is { } c ? $", case {c}" : $", {options.Seconds} s")}");
var perTarget = TimeSpan.FromSeconds(options.Seconds / options.Targets.Count);
foreach (var name in options.Targets)
{
    // A replay leaves out what is not reproducible (kills while handling); a timed run includes it.
    await using var target = FuzzTargets.Create(name, options.Seed, longRun: options.Case is null);
    if (options.Case is { } replay)
    {
        try
        {
            await target.RunCaseAsync(replay);
            Console.WriteLine($"{name}: case {replay} passed");
        }
        catch (FuzzFailure failure)
        {
            failures++;
            Console.WriteLine(failure);
        }

        continue;
    }

    var clock = Stopwatch.StartNew();
    var report = Stopwatch.StartNew();
    long index = 0, cases = 0;
    while (clock.Elapsed < perTarget)
    {
        try
        {
            await target.RunCaseAsync(index);
            index++;
        }
        catch (FuzzFailure failure)
        {
            failures++;
            Console.WriteLine(failure);
            index = ((index / target.CasesPerRound) + 1) * target.CasesPerRound;
        }

        cases++;
        if (report.Elapsed > TimeSpan.FromSeconds(10))
        {
            report.Restart();
            Console.WriteLine($"{name}: {cases} cases in {clock.Elapsed:mm\\:ss}, {failures} failures, working set {Environment.WorkingSet / (1024 * 1024)} MiB, {FuzzTargets.Describe(target)}");
        }
    }

    Console.WriteLine($"{name}: done, {cases} cases in {clock.Elapsed:mm\\:ss}, {FuzzTargets.Describe(target)}");
}

GC.Collect();
GC.WaitForPendingFinalizers();
Console.WriteLine($"{failures} failures, {unobserved} unobserved task exceptions");
return failures + unobserved > 0 ? 1 : 0;

/// <summary>The command line.</summary>
internal sealed record FuzzOptions(IReadOnlyList<string> Targets, int Seed, double Seconds, long? Case)
{
    public static FuzzOptions? Parse(string[] args)
    {
        var targets = FuzzTargets.Names;
        var seed = FuzzRandom.NewSeed();
        var seconds = 60.0;
        long? replay = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--target" when value is not null && (value == "all" || FuzzTargets.Names.Contains(value)):
                    targets = value == "all" ? FuzzTargets.Names : [value];
                    break;
                case "--seed" when int.TryParse(value, out var parsed):
                    seed = parsed;
                    break;
                case "--seconds" when double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0:
                    seconds = parsed;
                    break;
                case "--case" when long.TryParse(value, out var parsed) && parsed >= 0:
                    replay = parsed;
                    break;
                default:
                    return null;
            }

            i++;
        }

        return new FuzzOptions(targets, seed, seconds, replay);
    }
}
