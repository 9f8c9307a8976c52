namespace Firn.Storage;

/// <summary>
/// The main process's own pub/sub: straight to the hub, which has a registration or a publication before the call returns
/// (with a pub/sub engine, a registration completes once the engine has the key, and a publication once the engine took it).
/// </summary>
internal sealed class LocalPubSubBackend(TopicHub hub, TopicSubscriber self) : IPubSubBackend
{
    public Task Register(string key, bool isPattern) => hub.Add(self, key);

    public void Unregister(string key, bool isPattern) => hub.Remove(self, key);

    public bool CarriesTraceContext => true;

    public ValueTask PublishAsync(string topic, string typeName, ReadOnlySpan<byte> payload) => hub.Publish(topic, typeName, payload.ToArray());

    public void ThrowIfDisconnected(string key)
    {
    }
}
