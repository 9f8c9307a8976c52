using Firn.Redis.Connection;
using Firn.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Storage;

/// <summary>
/// Pub/sub on Redis: a topic is a channel (SUBSCRIBE), a pattern a PSUBSCRIBE, each subscribed once per main process
/// while one of its processes subscribes to it. Each subscription is a StackExchange.Redis message queue, read one message
/// at a time in order; the multiplexer resubscribes by itself after a reconnect.
/// </summary>
internal sealed partial class RedisPubSubEngine(IConnectionMultiplexer multiplexer, RedisNames names, ILogger logger) : IPubSubEngine
{
    private readonly ISubscriber _subscriber = multiplexer.GetSubscriber();

    // The queue (or the subscribing that makes it) of each key, in the order the hub asked; guarded by itself.
    private readonly Dictionary<string, Task<ChannelMessageQueue>> _queues = new(StringComparer.Ordinal);
    private Action<string, Publication>? _deliver;

    public void Attach(Action<string, Publication> deliver) => _deliver = deliver;

    public Task Subscribe(string key, bool isPattern)
    {
        var channel = isPattern ? names.ChannelPattern(key) : names.Channel(key);
        Task<ChannelMessageQueue> subscribing;
        lock (_queues)
        {
            subscribing = _subscriber.SubscribeAsync(channel);
            _queues[key] = subscribing;
        }

        return StartAsync(key, isPattern && key.Contains('?', StringComparison.Ordinal) ? new TopicPattern(key) : null, subscribing);
    }

    public void Unsubscribe(string key, bool isPattern)
    {
        Task<ChannelMessageQueue>? subscribing;
        lock (_queues)
        {
            _queues.Remove(key, out subscribing);
        }

        if (subscribing is not null)
        {
            _ = StopAsync(key, subscribing);
        }
    }

    public ValueTask PublishAsync(Publication publication)
    {
        Task<long> published;
        try
        {
            published = _subscriber.PublishAsync(names.Channel(publication.Topic), RedisValueCodec.Encode(publication.TypeName, publication.Payload));
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            return ValueTask.FromException(Failed("Publishing on", publication.Topic, ex));
        }

        return new ValueTask(WaitAsync(published, publication.Topic));
    }

    private static async Task WaitAsync(Task<long> published, string topic)
    {
        try
        {
            await published.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            throw Failed("Publishing on", topic, ex);
        }
    }

    private static StoreException Failed(string what, string topic, Exception ex) =>
        new($"{what} '{topic}' on Redis failed ({ex.GetType().Name}: {ex.Message}). Redis may be down or unreachable; the connection is retried by itself.", ex);

    /// <param name="key">The topic or pattern.</param>
    /// <param name="filter">For a pattern with <c>?</c>, which Redis matched more broadly (<see cref="RedisNames.ChannelPattern"/>), the exact match.</param>
    /// <param name="subscribing">The subscribing.</param>
    private async Task StartAsync(string key, TopicPattern? filter, Task<ChannelMessageQueue> subscribing)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await subscribing.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            throw Failed("Subscribing to", key, ex);
        }

        queue.OnMessage(message => Deliver(key, filter, message));
    }

    private async Task StopAsync(string key, Task<ChannelMessageQueue> subscribing)
    {
        try
        {
            var queue = await subscribing.ConfigureAwait(false);
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A subscription that failed or cannot be withdrawn now has nothing to stop; the hub no longer delivers its key.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnsubscribeFailed(logger, ex, key);
        }
    }

    private void Deliver(string key, TopicPattern? filter, ChannelMessage message)
    {
        var topic = names.TopicOf(message.Channel);
        if (filter is not null && !filter.Matches(topic))
        {
            return;
        }

        var (typeName, payload) = RedisValueCodec.Decode((byte[])message.Message!);
        _deliver?.Invoke(key, new Publication(topic, typeName, payload));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing '{Key}' on Redis failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string key);
}
