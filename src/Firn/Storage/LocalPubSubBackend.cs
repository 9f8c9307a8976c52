namespace Firn.Storage;

/// <summary>The main process's own pub/sub: straight to the hub, which has a registration or a publication before the call returns.</summary>
internal sealed class LocalPubSubBackend(TopicHub hub, TopicSubscriber self) : IPubSubBackend
{
    public Task Register(string key, bool isPattern)
    {
        hub.Add(self, key);
        return Task.CompletedTask;
    }

    public void Unregister(string key, bool isPattern) => hub.Remove(self, key);

    public bool CarriesTraceContext => true;

    public ValueTask PublishAsync(string topic, string typeName, ReadOnlySpan<byte> payload)
    {
        hub.Publish(topic, typeName, payload.ToArray());
        return ValueTask.CompletedTask;
    }

    public void ThrowIfDisconnected(string key)
    {
    }
}
