namespace Firn.Fuzzing;

/// <summary>A fuzz case found a problem; the message says how to replay it.</summary>
internal sealed class FuzzFailure : Exception
{
    public FuzzFailure()
    {
    }

    public FuzzFailure(string message)
        : base(message)
    {
    }

    public FuzzFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FuzzFailure(string target, int seed, long caseIndex, string problem, IEnumerable<string> trace, Exception? cause = null)
        : base(Describe(target, seed, caseIndex, problem, trace), cause)
    {
        Target = target;
        Seed = seed;
        CaseIndex = caseIndex;
    }

    public string Target { get; } = string.Empty;

    public int Seed { get; }

    public long CaseIndex { get; }

    private static string Describe(string target, int seed, long caseIndex, string problem, IEnumerable<string> trace) =>
        $"{target} fuzz case failed: seed {seed}, case {caseIndex}. Replay: dotnet run -c Release --project tools/Firn.Fuzz -- --target {target} --seed {seed} --case {caseIndex}\n" +
        $"{problem}\nCase steps:\n  {string.Join("\n  ", trace.TakeLast(60))}";
}
