namespace Firn.Hosting;

/// <summary>The metric tag values of process states and exit reasons: lower case, as OpenTelemetry spells enumerations.</summary>
internal static class ProcessSamples
{
    private static readonly string[] States = [.. Enum.GetNames<ProcessState>().Select(ToSnakeCase)];
    private static readonly string[] ExitReasons = [.. Enum.GetNames<ProcessExitReason>().Select(ToSnakeCase)];

    public static string Name(ProcessState state) => (int)state < States.Length ? States[(int)state] : "unknown";

    public static string Name(ProcessExitReason reason) => (int)reason < ExitReasons.Length ? ExitReasons[(int)reason] : "unknown";

    private static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
