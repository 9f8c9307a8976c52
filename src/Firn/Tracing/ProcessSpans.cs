using System.Diagnostics;

namespace Firn.Tracing;

/// <summary>
/// Trace context across a spawn: the main process hands the current span to a child in <c>TRACEPARENT</c> (and
/// <c>TRACESTATE</c>), and the child runs under a process span that is its child.
/// </summary>
internal static class ProcessSpans
{
    public const string TraceParentVariable = "TRACEPARENT";
    public const string TraceStateVariable = "TRACESTATE";

    /// <summary>Puts the current span's context in a child's environment, if there is a current span.</summary>
    public static void HandTo(IDictionary<string, string?> environment)
    {
        if (Activity.Current is not { } current)
        {
            return;
        }

        environment[TraceParentVariable] = current.Id;
        if (current.TraceStateString is { } state)
        {
            environment[TraceStateVariable] = state;
        }
        else
        {
            environment.Remove(TraceStateVariable);
        }
    }

    /// <summary>
    /// Starts a child process's span, a child of the <c>TRACEPARENT</c> its parent handed it (if any and valid);
    /// <see langword="null"/> without a listener. It is current for the rest of the caller's flow.
    /// </summary>
    public static Activity? StartChild(string processName)
    {
        if (!FirnActivitySource.Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(Environment.GetEnvironmentVariable(TraceParentVariable), Environment.GetEnvironmentVariable(TraceStateVariable), isRemote: true, out var parent);
        var activity = FirnActivitySource.Source.StartActivity($"child {processName}", ActivityKind.Internal, parent);
        activity?.SetTag("firn.process.name", processName);
        return activity;
    }
}
