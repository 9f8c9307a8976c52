namespace Firn.Rpc;

/// <summary>Where a process sends the outcome of the invocations it handles: frames to the main process in a child, the routing table in the main process.</summary>
internal interface IRpcResponder
{
    /// <summary>
    /// The invocation ended: its result (status ok) or an encoded <see cref="RpcError"/>. Completes once the outcome is
    /// on its way (it may wait for room on a connection; <paramref name="body"/> is copied if it must).
    /// </summary>
    Task CompleteAsync(uint invocationId, RpcStatus status, ReadOnlySpan<byte> body);

    /// <summary>One item of a stream invocation; sent only within the caller's credit, and waits for room as <see cref="CompleteAsync"/> does.</summary>
    Task StreamItemAsync(uint invocationId, ReadOnlySpan<byte> payload);
}
