using System.Collections.Concurrent;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>The main process's end of the pub/sub protocol: children's subscriptions and publications go to the <see cref="TopicHub"/>.</summary>
internal sealed class PubSubServer
{
    /// <summary>Topics and patterns one child may subscribe to at once.</summary>
    public const int MaxSubscriptionsPerProcess = 10_000;

    private readonly TopicHub _hub;
    private readonly ConcurrentDictionary<IPeerSession, SessionTopicSubscriber> _subscribers = new();

    public PubSubServer(TopicHub hub, ISessionServices services)
    {
        _hub = hub;
        services.Register(FrameKind.Subscribe, OnSubscribe);
        services.Register(FrameKind.Unsubscribe, OnUnsubscribe);
        services.Register(FrameKind.Publish, OnPublish);
        services.SessionEnded += session =>
        {
            if (_subscribers.TryRemove(session, out var subscriber))
            {
                _hub.RemoveAll(subscriber);
            }
        };
    }

    private void OnSubscribe(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var key = reader.ReadString();
        var subscriber = _subscribers.GetOrAdd(session, s => new SessionTopicSubscriber(s));
        if (key.Length is 0 or > StoreKeys.MaxLength)
        {
            Reply(session, requestId, $"A topic has 1 to {StoreKeys.MaxLength} characters; got {key.Length}.");
        }
        else if (subscriber.KeyCount >= MaxSubscriptionsPerProcess)
        {
            Reply(session, requestId, $"Process '{session.ProcessName}' already subscribes to {MaxSubscriptionsPerProcess} topics and patterns, the limit per process.");
        }
        else
        {
            var added = _hub.Add(subscriber, key);
            if (added.IsCompletedSuccessfully)
            {
                Reply(session, requestId, null);
            }
            else
            {
                // A pub/sub engine (Redis) has the key later: the child's registration completes when it does.
                _ = added.ContinueWith(
                    t => Reply(session, requestId, t.IsCompletedSuccessfully ? null : t.Exception?.GetBaseException().Message ?? "The subscription was withdrawn."),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>Answers a subscription: <paramref name="error"/> is <see langword="null"/> when the hub has it.</summary>
    private static void Reply(IPeerSession session, uint requestId, string? error)
    {
        var reply = new BodyWriter().WriteUInt32(requestId);
        if (error is null)
        {
            reply.WriteByte(0).WriteString(string.Empty);
        }
        else
        {
            reply.WriteByte(1).WriteString(error);
        }

        session.Connection.Send(FrameKind.SubscribeReply, reply.Written);
    }

    private void OnUnsubscribe(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var key = new BodyReader(body).ReadString();
        if (_subscribers.TryGetValue(session, out var subscriber))
        {
            _hub.Remove(subscriber, key);
        }
    }

    private void OnPublish(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var publication = TopicHub.DecodePublication(body);
        if (publication.Topic.Length is 0 or > StoreKeys.MaxLength || TopicPattern.IsPattern(publication.Topic))
        {
            session.Violate($"it published to an invalid topic '{publication.Topic}'");
            return;
        }

        TraceEnvelope.CheckIncoming(publication.Payload, session.Connection.Capabilities);
        // A child's publication has no reply: an engine's failure is logged by the hub (once per outage).
        var published = _hub.Publish(publication.Topic, publication.TypeName, publication.Payload);
        if (!published.IsCompletedSuccessfully)
        {
            _ = published.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
