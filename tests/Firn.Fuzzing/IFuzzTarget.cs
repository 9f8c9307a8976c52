namespace Firn.Fuzzing;

/// <summary>Something fuzzed case by case, each case determined by the seed and its index.</summary>
internal interface IFuzzTarget : IAsyncDisposable
{
    /// <summary>The name used on the command line and in failure reports.</summary>
    string Name { get; }

    /// <summary>Cases that share state (and so replay together): a failure skips to the next such group.</summary>
    int CasesPerRound { get; }

    /// <summary>Runs one case.</summary>
    /// <exception cref="FuzzFailure">The case found a problem.</exception>
    Task RunCaseAsync(long index);
}
