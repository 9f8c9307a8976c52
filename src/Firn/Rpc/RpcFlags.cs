namespace Firn.Rpc;

/// <summary>Flags of a call frame.</summary>
[Flags]
internal enum RpcFlags : byte
{
    /// <summary>A call with one result.</summary>
    None = 0,

    /// <summary>The caller expects a stream of items, then a final reply.</summary>
    Stream = 1,

    /// <summary>The argument block follows a trace context (only on connections that agreed on "trace-context").</summary>
    TraceContext = 2,
}
