namespace Firn.Fuzzing;

/// <summary>The fuzz targets by name, for the command-line runner and the tests.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = [DecoderFuzzer.TargetName, ConnectionFuzzer.TargetName, DispatcherFuzzer.TargetName];

    /// <summary>Creates a target; <paramref name="longRun"/> adds what is not reproducible case by case (see <see cref="DispatcherFuzzer"/>).</summary>
    public static IFuzzTarget Create(string name, int seed, bool longRun = false) => name switch
    {
        DecoderFuzzer.TargetName => new DecoderFuzzer(seed),
        ConnectionFuzzer.TargetName => new ConnectionFuzzer(seed),
        DispatcherFuzzer.TargetName => new DispatcherFuzzer(seed, killWhileHandling: longRun),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown fuzz target"),
    };

    /// <summary>A line of counters for progress reports.</summary>
    public static string Describe(IFuzzTarget target) => target switch
    {
        ConnectionFuzzer connection => $"{connection.BytesDelivered / (1024 * 1024)} MiB delivered",
        DispatcherFuzzer dispatcher => $"{dispatcher.FramesSent} frames sent, {dispatcher.ChildrenDisconnected} children disconnected for what they sent, fingerprint {dispatcher.Fingerprint:X16}",
        _ => string.Empty,
    };
}
