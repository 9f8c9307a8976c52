namespace Firn.Storage;

/// <summary>
/// The main process's backend: calls its store engine directly, no socket. The in-memory store applies the request
/// before the call returns; an external engine (Redis) completes when the engine answered.
/// </summary>
internal sealed class LocalStoreBackend(IStoreEngine engine) : IStoreBackend
{
    public ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken) => engine.ExecuteAsync(request, cancellationToken);
}
