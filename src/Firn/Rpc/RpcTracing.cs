using System.Diagnostics;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>The trace context of a call frame (<see cref="RpcFlags.TraceContext"/>): checked, relayed or dropped, and read.</summary>
internal static class RpcTracing
{
    /// <summary>
    /// Checks the trace context of an RpcCall from a peer with <paramref name="capabilities"/>; returns its length
    /// (0 without the flag), where the argument block starts.
    /// </summary>
    /// <exception cref="ProtocolViolationException">The flag is set on a connection without "trace-context", or the context is malformed.</exception>
    public static int CheckIncoming(RpcFlags flags, ReadOnlySpan<byte> args, Capabilities capabilities)
    {
        if ((flags & RpcFlags.TraceContext) == 0)
        {
            return 0;
        }

        return (capabilities & Capabilities.TraceContext) != 0
            ? TraceEnvelope.Read(args, out _)
            : throw new ProtocolViolationException("a call with trace context on a connection that did not agree on \"trace-context\"");
    }

    /// <summary>The arguments to relay to a peer with <paramref name="capabilities"/>: without the context (and its flag) if it cannot take it.</summary>
    public static ReadOnlySpan<byte> StripFor(scoped ref RpcFlags flags, ReadOnlySpan<byte> args, Capabilities capabilities)
    {
        if ((flags & RpcFlags.TraceContext) == 0 || (capabilities & Capabilities.TraceContext) != 0)
        {
            return args;
        }

        flags &= ~RpcFlags.TraceContext;
        return args[TraceEnvelope.Read(args, out _)..];
    }

    /// <summary>Reads the caller's context off the front of <paramref name="args"/>, or returns <see langword="default"/> without the flag.</summary>
    public static ActivityContext Read(RpcFlags flags, ref ReadOnlySpan<byte> args)
    {
        if ((flags & RpcFlags.TraceContext) == 0)
        {
            return default;
        }

        args = args[TraceEnvelope.Read(args, out var context)..];
        return context;
    }
}
