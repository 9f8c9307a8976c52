using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>A child's pub/sub: subscriptions and publications become frames; publications for this process arrive as frames.</summary>
internal sealed class RemotePubSubBackend : IPubSubBackend
{
    private readonly IMainConnection _host;
    private readonly LocalSubscriptions _subscriptions;
    private readonly ConcurrentDictionary<uint, (string Key, TaskCompletionSource Reply)> _pending = new();
    private uint _nextId;

    public RemotePubSubBackend(IMainConnection host, LocalSubscriptions subscriptions)
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
        _pending[id] = (key, reply);
        if (!_host.Send(FrameKind.Subscribe, new BodyWriter().WriteUInt32(id).WriteString(key).Written))
        {
            _pending.TryRemove(id, out _);
            reply.TrySetException(Unavailable());
        }

        return reply.Task;
    }

    /// <summary>Subscriptions waiting for the main process's confirmation (a withdrawn one no longer waits).</summary>
    internal int PendingCount => _pending.Count;

    /// <remarks>
    /// A registration still waiting for its reply (its subscriber gave up at its deadline) is withdrawn here, so a main
    /// process that never answers cannot make the waiting entries pile up; a late reply then finds nothing.
    /// </remarks>
    public void Unregister(string key, bool isPattern)
    {
        foreach (var (id, pending) in _pending)
        {
            if (string.Equals(pending.Key, key, StringComparison.Ordinal) && _pending.TryRemove(id, out _))
            {
                pending.Reply.TrySetCanceled();
            }
        }

        _host.Send(FrameKind.Unsubscribe, new BodyWriter().WriteString(key).Written);
    }

    public ValueTask PublishAsync(string topic, string typeName, ReadOnlySpan<byte> payload)
    {
        var body = new BodyWriter().WriteString(topic).WriteString(typeName).WriteBytes(payload);
        var queued = _host.SendWhenRoomAsync(FrameKind.Publish, body.Written, default, CancellationToken.None);
        if (queued.IsCompletedSuccessfully)
        {
            return queued.Result ? ValueTask.CompletedTask : throw Unavailable();
        }

        return QueuedAsync(queued);
    }

    private static async ValueTask QueuedAsync(ValueTask<bool> queued)
    {
        if (!await queued.ConfigureAwait(false))
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
                pending.Reply.TrySetException(Unavailable());
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
                pending.Reply.TrySetResult();
            }
            else
            {
                pending.Reply.TrySetException(new StoreException(message));
            }
        }
    }
}
