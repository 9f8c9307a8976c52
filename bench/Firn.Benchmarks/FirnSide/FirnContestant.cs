using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>A Firn contestant that keeps one main-process app (and its children) across the runs of a case.</summary>
/// <param name="metrics">Whether the app and its children record metrics (<see cref="FirnAppOptions.EnableMetrics"/>); without, the contestant is "firn-nometrics".</param>
internal abstract class FirnContestant(BenchContext context, bool metrics = true) : Contestant(metrics ? FirnName : FirnNoMetricsName)
{
    protected BenchContext Context { get; } = context;

    /// <summary>Whether the app and its children record metrics.</summary>
    protected bool MetricsEnabled { get; } = metrics;

    /// <summary>The app, once <see cref="Contestant.PrepareAsync"/> has started it.</summary>
    protected FirnApp App => AppOrNull ?? throw new InvalidOperationException("The app has not started.");

    protected FirnApp? AppOrNull { get; set; }

    /// <summary>Stops the app and its children and prepares afresh (after a size of a sweep failed, leaving them in any state).</summary>
    protected async Task RestartAsync()
    {
        if (AppOrNull is { } app)
        {
            AppOrNull = null;
            await app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        await PrepareAsync(CancellationToken.None);
    }

    public override async ValueTask DisposeAsync()
    {
        if (AppOrNull is not null)
        {
            await AppOrNull.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
