namespace Firn.Storage;

/// <summary>The main process's backend: calls the store directly, no socket; the request is applied before the call returns.</summary>
internal sealed class LocalStoreBackend(KeyValueStore store) : IStoreBackend
{
    public ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken) => new(store.Execute(request));
}
