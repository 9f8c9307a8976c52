using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>A Firn contestant that keeps one main-process app (and its children) across the runs of a case.</summary>
internal abstract class FirnContestant(BenchContext context) : Contestant(FirnName)
{
    protected BenchContext Context { get; } = context;

    /// <summary>The app, once <see cref="Contestant.PrepareAsync"/> has started it.</summary>
    protected FirnApp App => AppOrNull ?? throw new InvalidOperationException("The app has not started.");

    protected FirnApp? AppOrNull { get; set; }

    public override async ValueTask DisposeAsync()
    {
        if (AppOrNull is not null)
        {
            await AppOrNull.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
