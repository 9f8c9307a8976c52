namespace Firn.Benchmarks.Harness;

/// <summary>
/// Runs the sizes of a sweep one at a time, each with its own timeout (<see cref="BenchSettings.SizeTimeout"/>): a size
/// that fails or hangs is reported as failed with its error (<see cref="Metrics.FailedSizes"/>), the contestant recovers
/// (a Firn contestant starts its app afresh), and the sweep goes on with the next size. A size that failed once is not
/// tried again in later runs: it would only wait for its timeout again.
/// </summary>
internal sealed class SizeSweep(BenchSettings settings)
{
    private readonly Dictionary<int, string> _failed = [];

    /// <param name="runSize">Runs one size and records its figures; its token fires when the size is given up.</param>
    /// <param name="recover">Makes the contestant usable again after a failed size (null: nothing to do).</param>
    /// <remarks>One size alone (B1, B2, B8) is not a sweep: its failure fails the run, as any case's.</remarks>
    public async Task RunAsync(IReadOnlyList<int> sizes, Metrics metrics, Func<int, CancellationToken, Task> runSize, Func<Task>? recover, CancellationToken cancellationToken)
    {
        if (sizes.Count == 1)
        {
            await runSize(sizes[0], cancellationToken);
            return;
        }

        foreach (var size in sizes)
        {
            if (_failed.TryGetValue(size, out var earlier))
            {
                metrics.FailedSizes[size] = earlier;
                continue;
            }

            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await runSize(size, giveUp.Token).WaitAsync(settings.SizeTimeout, cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception ex)
            {
                await giveUp.CancelAsync();
                var message = ex is TimeoutException
                    ? Format.Invariantly($"timed out after {settings.SizeTimeout.TotalSeconds:0} s")
                    : $"{ex.GetType().Name}: {ex.Message}";
                _failed[size] = message;
                metrics.FailedSizes[size] = message;
                CaseRunner.Progress($"  {Format.Size(size)}: FAILED: {message}");
                Console.Error.WriteLine(ex);
                if (recover is not null)
                {
                    await recover().WaitAsync(settings.RunTimeout, cancellationToken);
                }
            }
        }
    }
}
