using Firn.Failures;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>A child's pub/sub: subscriptions and publications become frames; publications for this process arrive as frames.</summary>
internal sealed class RemotePubSubBackend : IPubSubBackend
{
    private readonly IMainConnection _host;
    private readonly LocalSubscriptions _subscriptions;

    /// <summary>
    /// Registrations waiting for the main process's confirmation. They have no deadline of their own: each subscriber
    /// waits for the shared registration with its own timeout, and withdraws it on giving up (see <see cref="Unregister"/>).
    /// </summary>
    private readonly PendingRequests<PendingSubscription> _pending = new(static subscription => FirnErrors.SubscriptionTimedOut(subscription.Key, subscription.Timeout));

    public RemotePubSubBackend(IMainConnection host, LocalSubscriptions subscriptions)
    {
        _host = host;
        _subscriptions = subscriptions;
        host.Register(FrameKind.SubscribeReply, OnSubscribeReply);
        host.Register(FrameKind.Publication, (_, body) => _subscriptions.Dispatch(TopicHub.DecodePublication(body)));
    }

    public Task Register(string key, bool isPattern)
    {
        var subscription = new PendingSubscription(key);
        try
        {
            var id = _pending.Add(subscription, Timeout.InfiniteTimeSpan);
            if (!_host.Send(FrameKind.Subscribe, new BodyWriter().WriteUInt32(id).WriteString(key).Written))
            {
                _pending.Remove(id);
                subscription.Fail(_host.DisconnectedError(CannotSubscribe(key)));
            }
        }
        catch (FirnDisconnectedException ex)
        {
            subscription.Fail(ex);
        }

        return subscription.Task;
    }

    /// <summary>Subscriptions waiting for the main process's confirmation (a withdrawn one no longer waits).</summary>
    internal int PendingCount => _pending.Count;

    /// <remarks>
    /// A registration still waiting for its reply (its subscriber gave up at its deadline) is withdrawn here, so a main
    /// process that never answers cannot make the waiting entries pile up; a late reply then finds nothing.
    /// </remarks>
    public void Unregister(string key, bool isPattern)
    {
        _pending.RemoveWhere(pending => string.Equals(pending.Key, key, StringComparison.Ordinal), static pending => pending.TrySetCanceled());
        _host.Send(FrameKind.Unsubscribe, new BodyWriter().WriteString(key).Written);
    }

    public void ThrowIfDisconnected(string key)
    {
        if (_host.IsConnectionClosed)
        {
            throw _host.DisconnectedError(CannotSubscribe(key));
        }
    }

    public bool CarriesTraceContext => (_host.Connection?.Capabilities & Capabilities.TraceContext) != 0;

    public ValueTask PublishAsync(string topic, string typeName, ReadOnlySpan<byte> payload)
    {
        var body = new BodyWriter().WriteString(topic).WriteString(typeName).WriteBytes(payload);
        var queued = _host.SendWhenRoomAsync(FrameKind.Publish, body.Written, default, CancellationToken.None);
        if (queued.IsCompletedSuccessfully)
        {
            return queued.Result ? ValueTask.CompletedTask : throw CannotPublish(topic);
        }

        return QueuedAsync(queued, topic);
    }

    private async ValueTask QueuedAsync(ValueTask<bool> queued, string topic)
    {
        if (!await queued.ConfigureAwait(false))
        {
            throw CannotPublish(topic);
        }
    }

    private FirnDisconnectedException CannotPublish(string topic) => _host.DisconnectedError($"Nothing was published to '{topic}'");

    private static string CannotSubscribe(string key) => $"The subscription to '{key}' failed";

    /// <summary>Fails pending subscriptions, and every later one, when the connection to the main process is gone.</summary>
    public void OnDisconnected(DisconnectReason reason) =>
        _pending.FailAll(subscription => FirnErrors.Disconnected(reason, CannotSubscribe(subscription.Key)));

    private void OnSubscribeReply(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        var status = reader.ReadByte();
        var message = reader.ReadString();
        if (_pending.TryTake(id, out var subscription))
        {
            if (status == 0)
            {
                subscription.TrySetResult(true);
            }
            else
            {
                subscription.TrySetException(FirnErrors.SubscriptionRefused(message));
            }
        }
    }
}

/// <summary>A subscription waiting for the main process to confirm it.</summary>
internal sealed class PendingSubscription(string key) : PendingReply<bool>
{
    public string Key { get; } = key;
}
