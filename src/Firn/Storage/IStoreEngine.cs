namespace Firn.Storage;

/// <summary>
/// What holds the shared store's data in a main process: the in-memory <see cref="KeyValueStore"/> (it answers at once)
/// or an external engine that several main processes share (Redis, from the Firn.Redis package). Both the main
/// process's own calls (<see cref="LocalStoreBackend"/>) and its children's (<see cref="StoreServer"/>) go through it.
/// </summary>
/// <remarks>
/// What an implementation must guarantee: a refusal (a wrong type, a limit, an unreachable engine) is a reply with its
/// status and a message, never an exception; the reply means the request was applied (or refused); the requests issued
/// one after another by one caller, each awaited before the next, apply in that order.
/// </remarks>
internal interface IStoreEngine
{
    /// <summary>Runs one store request; see the contract above.</summary>
    ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken);
}
