using System.Diagnostics;

namespace Firn.Tracing;

/// <summary>
/// The one <see cref="ActivitySource"/> of Firn, named "Firn": an <see cref="ActivityListener"/> (or OpenTelemetry's
/// <c>AddSource("Firn")</c>) that listens to it gets every span docs/tracing.md describes. Without a listener, every
/// place that would start a span costs one <see cref="ActivitySource.HasListeners"/> check.
/// </summary>
internal static class FirnActivitySource
{
    /// <summary>The source's name.</summary>
    public const string Name = "Firn";

    /// <summary>The value of <c>messaging.system</c> and <c>rpc.system</c>.</summary>
    public const string System = "firn";

    public static readonly ActivitySource Source = new(Name, typeof(FirnActivitySource).Assembly.GetName().Version?.ToString());
}
