using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Firn.Tracing;

/// <summary>
/// The client and server spans of RPC calls, after the OpenTelemetry RPC conventions: the server span is a child of
/// the client span whose context the call carried.
/// </summary>
internal static class RpcSpans
{
    /// <summary>Starts the client span of a call to <paramref name="method"/>, or returns <see langword="null"/> without a listener.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Activity? StartClient(string method) =>
        FirnActivitySource.Source.HasListeners() ? Start(method, ActivityKind.Client, default) : null;

    /// <summary>
    /// Writes the client span's context in front of the call's arguments when the connection carries it; returns
    /// whether it did (the call's trace-context flag).
    /// </summary>
    public static bool Carry(Activity? client, IBufferWriter<byte> buffer, bool carry)
    {
        if (client is null || !carry)
        {
            return false;
        }

        TraceEnvelope.Write(buffer, client);
        return true;
    }

    /// <summary>Starts the server span of an invocation, a child of <paramref name="caller"/> when the call carried a context.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Activity? StartServer(string method, in ActivityContext caller) =>
        FirnActivitySource.Source.HasListeners() ? Start(method, ActivityKind.Server, caller) : null;

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="exception"/>; always <see langword="false"/>, for an exception filter.</summary>
    public static bool Fail(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", exception.GetType().FullName);
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Activity? Start(string method, ActivityKind kind, ActivityContext parent)
    {
        var activity = FirnActivitySource.Source.StartActivity(method, kind, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", FirnActivitySource.System);
            activity.SetTag("rpc.method", method);
        }

        return activity;
    }
}
