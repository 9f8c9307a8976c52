namespace Firn.Storage;

/// <summary>
/// How a process's store calls reach the place that owns the store: <see cref="LocalStoreBackend"/> calls the
/// <see cref="KeyValueStore"/> in the main process directly; <see cref="RemoteStoreBackend"/> sends a child's requests
/// to it as frames. A backend for several machines (Redis, say) would be a third implementation of this contract.
/// </summary>
/// <remarks>
/// What an implementation must guarantee:
/// <list type="bullet">
/// <item>The requests of one process are applied in the order they were issued (queued, when several threads issue at once).</item>
/// <item>Completion means applied: the reply is the store's answer, and a write is seen by every read of any process that
/// starts after it. A refusal by the store itself (a limit, a wrong type, a missing key) is a reply with its status, not an exception.</item>
/// <item>Any number of calls from any threads may be in flight at once; nothing is held across the round trip.</item>
/// <item>When the store cannot be reached (the connection to the main process is closed or lost), the call fails with
/// <see cref="StoreException"/>, and so does every call still waiting for its reply. A call that gets no reply within
/// <see cref="FirnAppOptions.CallTimeout"/> fails with <see cref="TimeoutException"/>, and one whose token fires first with
/// <see cref="OperationCanceledException"/>; in both cases the request may still take effect.</item>
/// </list>
/// </remarks>
internal interface IStoreBackend
{
    /// <summary>Runs one store request; see the contract above.</summary>
    ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken);
}
