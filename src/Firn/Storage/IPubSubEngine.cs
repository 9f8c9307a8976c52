namespace Firn.Storage;

/// <summary>
/// Carries a main process's publications to other main processes and theirs back (Redis, from the Firn.Redis package).
/// Without one the <see cref="TopicHub"/> fans every publication out at once; with one, every publication goes out
/// through the engine and only what comes back from it is fanned out, so each process gets it once, whoever published it.
/// </summary>
/// <remarks>
/// The hub subscribes a topic or pattern once, when its first local process subscribes, and unsubscribes it when the
/// last one leaves; <see cref="Subscribe"/> and <see cref="Unsubscribe"/> are called under the hub's lock, so they only
/// enqueue, and the engine keeps their order. The publications of one key arrive through <see cref="Attach"/>'s callback
/// in the order the engine got them, one at a time per key.
/// </remarks>
internal interface IPubSubEngine
{
    /// <summary>Sets what receives the engine's publications: the key (topic or pattern) they came in for, and the publication.</summary>
    void Attach(Action<string, Publication> deliver);

    /// <summary>Starts receiving the publications of <paramref name="key"/>; completes once the engine delivers every later one, or fails with <see cref="StoreException"/>.</summary>
    Task Subscribe(string key, bool isPattern);

    /// <summary>Stops receiving the publications of <paramref name="key"/>.</summary>
    void Unsubscribe(string key, bool isPattern);

    /// <summary>Publishes; completes once the engine took it, or fails with <see cref="StoreException"/>.</summary>
    ValueTask PublishAsync(Publication publication);
}
