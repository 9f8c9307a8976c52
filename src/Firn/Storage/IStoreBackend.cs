namespace Firn.Storage;

/// <summary>Where a process's store calls go: straight to the store in the main process, over the socket in a child.</summary>
internal interface IStoreBackend
{
    ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken);
}

/// <summary>The main process's backend: calls the store directly, no socket.</summary>
internal sealed class LocalStoreBackend(KeyValueStore store) : IStoreBackend
{
    public ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken) => new(store.Execute(request));
}
