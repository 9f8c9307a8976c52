using System.Diagnostics;

namespace Firn.Benchmarks.Harness;

/// <summary>
/// Runs one case: prepares every contestant, warms each up once (full suites: a run of full size whose figures are
/// discarded, see <see cref="Contestant.WarmsUpWithFullRun"/>), then repeats: in each repetition
/// every contestant runs once, in an order that rotates, so Firn and its peers alternate under the same
/// machine conditions. A peer that cannot run is skipped with its reason; nothing is ever estimated.
/// </summary>
internal static class CaseRunner
{
    public static async Task<List<ContestantResult>> RunAsync(BenchCase benchCase, BenchContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var clock = Stopwatch.StartNew();
        Progress($"{benchCase.Id} {benchCase.Title}");
        var contestants = benchCase.CreateContestants(context);
        var results = contestants.Select(c => new ContestantResult(benchCase.Id, c.Name, c.Note)).ToList();
        try
        {
            for (var i = 0; i < contestants.Count; i++)
            {
                if (settings.Only is { } only && !only.Contains(contestants[i].Name))
                {
                    results[i].Skipped = "not selected (--only)";
                    continue;
                }

                Task<string?>? prepare = null;
                try
                {
                    prepare = contestants[i].PrepareAsync(cancellationToken);
                    results[i].Skipped = await prepare.WaitAsync(benchCase.RunTimeout(settings), cancellationToken);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C: the processes were killed under the contestant; that is not its failure.
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (Exception ex)
                {
                    Fail(results[i], contestants[i], "could not start", ex, hung: prepare is { IsCompleted: false });
                }

                results[i].Note = contestants[i].Note;
                if (results[i].Skipped is { } reason)
                {
                    Progress($"  {contestants[i].Name}: skipped: {reason}");
                }
            }

            var active = Enumerable.Range(0, contestants.Count).Where(i => Runnable(results[i])).ToList();
            if (!settings.Quick)
            {
                foreach (var i in active)
                {
                    await RunOnceAsync(contestants[i], results[i], warmup: !contestants[i].WarmsUpWithFullRun, benchCase.RunTimeout(settings), cancellationToken);
                }
            }

            var runs = settings.Runs * benchCase.RunsFactor;
            for (var run = 0; run < runs; run++)
            {
                for (var k = 0; k < active.Count; k++)
                {
                    var i = active[(k + run) % active.Count];
                    if (!Runnable(results[i]))
                    {
                        continue;
                    }

                    var metrics = await RunOnceAsync(contestants[i], results[i], warmup: false, benchCase.RunTimeout(settings), cancellationToken);
                    if (metrics is not null)
                    {
                        results[i].Add(metrics);
                        Progress($"  run {run + 1}/{runs} {contestants[i].Name,-14} {Describe(benchCase, metrics)}");
                    }
                }
            }
        }
        finally
        {
            foreach (var contestant in contestants)
            {
                try
                {
                    await contestant.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                }
                catch (Exception ex)
                {
                    Progress($"  {contestant.Name}: clean-up failed: {ex.Message}");
                }
            }

            context.Processes.KillAll();
        }

        Progress($"  {benchCase.Id} took {clock.Elapsed.TotalSeconds:0.0} s");
        return results;
    }

    private static bool Runnable(ContestantResult result) => result.Skipped is null && result.Failed is null;

    private static async Task<Metrics?> RunOnceAsync(Contestant contestant, ContestantResult result, bool warmup, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task<Metrics>? run = null;
        try
        {
            run = contestant.RunAsync(warmup, cancellationToken);
            return await run.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex)
        {
            Fail(result, contestant, warmup ? "warm-up run failed" : "run failed", ex, hung: run is { IsCompleted: false });
            return null;
        }
    }

    /// <param name="hung">Whether the run did not finish within its timeout (else it failed by itself, maybe with a timeout of its own, whose message says more).</param>
    private static void Fail(ContestantResult result, Contestant contestant, string what, Exception ex, bool hung)
    {
        var message = hung ? $"{what}: timed out" : $"{what}: {ex.GetType().Name}: {ex.Message}";
        if (contestant.IsFirn)
        {
            result.Failed = message;
            Progress($"  {contestant.Name}: FAILED: {message}");
            Console.Error.WriteLine(ex);
        }
        else
        {
            // A peer that breaks is reported as skipped, with the reason; it never gets a number.
            result.Skipped = message;
            Progress($"  {contestant.Name}: skipped: {message}");
        }
    }

    private static string Describe(BenchCase benchCase, Metrics metrics) =>
        string.Join(", ", benchCase.Metrics.Where(m => metrics.ContainsKey(m.Key)).Take(3).Select(m => $"{m.Label} {Format.Number(metrics[m.Key], m.Unit)}"));

    public static void Progress(string line) => Console.Error.WriteLine(line);
}
