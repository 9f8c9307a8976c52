using System.Collections.Concurrent;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>A child's pub/sub: subscriptions and publications become frames; publications for this process arrive as frames.</summary>
internal sealed class RemotePubSubBackend : IPubSubBackend
{
    private readonly ChildHost _host;
    private readonly LocalSubscriptions _subscriptions;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _pending = new();
    private uint _nextId;

    public RemotePubSubBackend(ChildHost host, LocalSubscriptions subscriptions)
    {
        _host = host;
        _subscriptions = subscriptions;
        host.Register(FrameKind.SubscribeReply, OnSubscribeReply);
        host.Register(FrameKind.Publication, (_, body) => _subscriptions.Dispatch(TopicHub.DecodePublication(body)));
    }

    public Task Register(string key, bool isPattern)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        if (!_host.Send(FrameKind.Subscribe, new BodyWriter().WriteUInt32(id).WriteString(key).Written))
        {
            _pending.TryRemove(id, out _);
            reply.TrySetException(Unavailable());
        }

        return reply.Task;
    }

    public void Unregister(string key, bool isPattern) => _host.Send(FrameKind.Unsubscribe, new BodyWriter().WriteString(key).Written);

    public void Publish(string topic, string typeName, ReadOnlySpan<byte> payload)
    {
        var body = new BodyWriter().WriteString(topic).WriteString(typeName).WriteBytes(payload);
        if (!_host.Send(FrameKind.Publish, body.Written))
        {
            throw Unavailable();
        }
    }

    /// <summary>Fails pending subscriptions when the connection to the main process is gone.</summary>
    public void OnDisconnected()
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetException(Unavailable());
            }
        }
    }

    private static StoreException Unavailable() => new("Pub/sub is unavailable: the connection to the main process is closed.");

    private void OnSubscribeReply(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var id = reader.ReadUInt32();
        var status = reader.ReadByte();
        var message = reader.ReadString();
        if (_pending.TryRemove(id, out var pending))
        {
            if (status == 0)
            {
                pending.TrySetResult();
            }
            else
            {
                pending.TrySetException(new StoreException(message));
            }
        }
    }
}
