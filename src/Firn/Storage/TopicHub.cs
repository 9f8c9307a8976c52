using System.Collections.Concurrent;
using Firn.Meters;
using Firn.Tracing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Storage;

/// <summary>
/// The main process's pub/sub switchboard: which processes subscribe to which topics and patterns, and the
/// fan-out of each publication, once per subscribed process. A process whose connection is congested (it
/// stopped reading) misses publications, counted and logged, instead of growing the main process's memory
/// or slowing anyone else.
/// </summary>
internal sealed partial class TopicHub
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<TopicSubscriber>> _byKey = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly FirnMetrics _metrics;
    private readonly IPubSubEngine? _engine;

    // With an engine: the keys it delivers (only their subscribers are visible to deliveries), and those it is
    // subscribing, with the task that completes once the key is live. Guarded by the lock.
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _subscribing = new(StringComparer.Ordinal);
    private int _publishFailing;

    // What publishers read without the lock: per exact topic an immutable array, replaced on each change of that topic
    // alone; the patterns as one immutable array, rebuilt only when a pattern changes (patterns are few).
    private readonly ConcurrentDictionary<string, TopicSubscriber[]> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TopicPattern Pattern, TopicSubscriber[] Subscribers)> _patternEntries = new(StringComparer.Ordinal);
    private (TopicPattern Pattern, TopicSubscriber[] Subscribers)[] _patterns = [];

    public TopicHub(ILogger logger, FirnMetrics? metrics = null, IPubSubEngine? engine = null)
    {
        _logger = logger;
        _metrics = metrics ?? FirnMetrics.Disabled;
        _engine = engine;
        engine?.Attach(DeliverFromEngine);
    }

    /// <summary>
    /// Subscribes <paramref name="subscriber"/> to <paramref name="key"/>; the task completes once publications of the key
    /// reach it (at once without an engine; with one, once the engine has the key), or fails with <see cref="StoreException"/>.
    /// </summary>
    public Task Add(TopicSubscriber subscriber, string key)
    {
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var subscribers))
            {
                _byKey[key] = subscribers = [];
            }

            if (subscribers.Add(subscriber))
            {
                subscriber.KeyCount++;
                Publish(key);
            }

            if (_engine is null || _live.Contains(key))
            {
                return Task.CompletedTask;
            }

            if (!_subscribing.TryGetValue(key, out var subscribing))
            {
                // Recorded before the engine is asked: its answer may come at once, on this thread.
                var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _subscribing[key] = subscribing = live.Task;
                _ = GoLiveAsync(key, _engine.Subscribe(key, TopicPattern.IsPattern(key)), live);
            }

            return subscribing;
        }
    }

    /// <summary>Makes <paramref name="key"/> live once the engine has it, unless it was unsubscribed meanwhile; then completes <paramref name="live"/>.</summary>
    private async Task GoLiveAsync(string key, Task subscribed, TaskCompletionSource live)
    {
        try
        {
            await subscribed.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                // The next subscriber of the key tries again.
                if (_subscribing.TryGetValue(key, out var current) && current == live.Task)
                {
                    _subscribing.Remove(key);
                }
            }

            live.SetException(ex as StoreException ?? new StoreException($"Subscribing to '{key}' failed: {ex.Message}", ex));
            return;
        }

        lock (_lock)
        {
            if (_subscribing.TryGetValue(key, out var current) && current == live.Task)
            {
                _subscribing.Remove(key);
                if (_byKey.ContainsKey(key))
                {
                    _live.Add(key);
                    Publish(key);
                }
            }
        }

        live.SetResult();
    }

    /// <summary>The last local subscriber of <paramref name="key"/> left: the engine stops delivering it. Call under the lock.</summary>
    private void Forget(string key)
    {
        if (_engine is not null)
        {
            _live.Remove(key);
            _subscribing.Remove(key);
            _engine.Unsubscribe(key, TopicPattern.IsPattern(key));
        }
    }

    public void Remove(TopicSubscriber subscriber, string key)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var subscribers) && subscribers.Remove(subscriber))
            {
                subscriber.KeyCount--;
                if (subscribers.Count == 0)
                {
                    _byKey.Remove(key);
                    Forget(key);
                }

                Publish(key);
            }
        }
    }

    public void RemoveAll(TopicSubscriber subscriber)
    {
        lock (_lock)
        {
            foreach (var key in _byKey.Keys.ToArray())
            {
                var subscribers = _byKey[key];
                if (subscribers.Remove(subscriber))
                {
                    if (subscribers.Count == 0)
                    {
                        _byKey.Remove(key);
                        Forget(key);
                    }

                    Publish(key);
                }
            }

            subscriber.KeyCount = 0;
        }
    }

    /// <summary>Every topic and pattern with its subscribers' names, ordered, for diagnostics and tests.</summary>
    public IReadOnlyList<(string Key, string[] Subscribers)> Subscriptions()
    {
        lock (_lock)
        {
            return [.. _byKey
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => (pair.Key, pair.Value.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray()))];
        }
    }

    /// <summary>
    /// Publishes: without an engine, fans out to every subscribed process before it returns; with one, hands the
    /// publication to the engine, and its fan-out comes back through it (see <see cref="DeliverFromEngine"/>).
    /// </summary>
    public ValueTask Publish(string topic, string typeName, byte[] payload)
    {
        if (_engine is not null)
        {
            return PublishThroughEngine(new Publication(topic, typeName, payload));
        }

        FanOut(new Publication(topic, typeName, payload));
        return default;
    }

    private ValueTask PublishThroughEngine(Publication publication)
    {
        var published = _engine!.PublishAsync(publication);
        if (published.IsCompletedSuccessfully)
        {
            return published;
        }

        return WatchAsync(published);

        async ValueTask WatchAsync(ValueTask pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
                Interlocked.Exchange(ref _publishFailing, 0);
            }
            catch (Exception ex)
            {
                // Logged once per outage: a child's publications have no reply to carry the error.
                if (Interlocked.Exchange(ref _publishFailing, 1) == 0)
                {
                    LogPublishFailed(ex, publication.Topic);
                }

                throw ex as StoreException ?? new StoreException($"Publishing on '{publication.Topic}' failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// A publication the engine delivers for <paramref name="key"/>. A process subscribed to several keys that match the
    /// topic gets it through one of them only (the topic itself, else the first matching pattern in ordinal order),
    /// so it gets it once, as without an engine.
    /// </summary>
    private void DeliverFromEngine(string key, Publication publication)
    {
        byte[]? frame = null;
        _exact.TryGetValue(publication.Topic, out var exact);
        if (!TopicPattern.IsPattern(key))
        {
            foreach (var subscriber in exact ?? [])
            {
                Deliver(subscriber, publication, ref frame);
            }

            return;
        }

        var patterns = Volatile.Read(ref _patterns);
        foreach (var (pattern, subscribers) in patterns)
        {
            if (!string.Equals(pattern.ToString(), key, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var subscriber in subscribers)
            {
                if (!GetsThroughAnother(subscriber, key, publication.Topic, exact, patterns))
                {
                    Deliver(subscriber, publication, ref frame);
                }
            }
        }
    }

    private static bool GetsThroughAnother(TopicSubscriber subscriber, string key, string topic, TopicSubscriber[]? exact, (TopicPattern Pattern, TopicSubscriber[] Subscribers)[] patterns)
    {
        if (exact is not null && Array.IndexOf(exact, subscriber) >= 0)
        {
            return true;
        }

        foreach (var (pattern, subscribers) in patterns)
        {
            if (string.CompareOrdinal(pattern.ToString(), key) < 0 && pattern.Matches(topic) && Array.IndexOf(subscribers, subscriber) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private void FanOut(Publication publication)
    {
        var topic = publication.Topic;
        byte[]? frame = null;
        _exact.TryGetValue(topic, out var exact);
        HashSet<TopicSubscriber>? delivered = null;
        foreach (var (pattern, subscribers) in Volatile.Read(ref _patterns))
        {
            if (!pattern.Matches(topic))
            {
                continue;
            }

            // A process matched by a topic and a pattern (or two patterns) gets the publication once; its own table fans it out.
            delivered ??= exact is null ? [] : [.. exact];
            foreach (var subscriber in subscribers)
            {
                if (delivered.Add(subscriber))
                {
                    Deliver(subscriber, publication, ref frame);
                }
            }
        }

        foreach (var subscriber in exact ?? [])
        {
            Deliver(subscriber, publication, ref frame);
        }
    }

    public static byte[] EncodePublication(Publication publication) =>
        new BodyWriter().WriteString(publication.Topic).WriteString(publication.TypeName).WriteBytes(publication.Payload).Written.ToArray();

    public static Publication DecodePublication(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        return new Publication(reader.ReadString(), reader.ReadString(), reader.Remaining.ToArray());
    }

    private void Deliver(TopicSubscriber subscriber, Publication publication, ref byte[]? frame)
    {
        if (!subscriber.TryDeliver(publication, ref frame))
        {
            _metrics.PublicationDropped(subscriber.Name);
            if (subscriber.CountMissed() == 1)
            {
                LogMissed(subscriber.Name, publication.Topic);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publications fail (first on '{Topic}'); logged once until one succeeds again")]
    private partial void LogPublishFailed(Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Process}' is not reading its connection; it misses publications (first on '{Topic}')")]
    private partial void LogMissed(string process, string topic);

    /// <summary>Makes the subscribers of <paramref name="key"/> visible to publishers (with an engine, once the key is live). Call under the lock.</summary>
    private void Publish(string key)
    {
        var visible = _engine is null || _live.Contains(key);
        if (TopicPattern.IsPattern(key))
        {
            if (visible && _byKey.TryGetValue(key, out var matching))
            {
                var pattern = _patternEntries.TryGetValue(key, out var entry) ? entry.Pattern : new TopicPattern(key);
                _patternEntries[key] = (pattern, [.. matching]);
            }
            else
            {
                _patternEntries.Remove(key);
            }

            Volatile.Write(ref _patterns, [.. _patternEntries.Values]);
        }
        else if (visible && _byKey.TryGetValue(key, out var subscribers))
        {
            _exact[key] = [.. subscribers];
        }
        else
        {
            _exact.TryRemove(key, out _);
        }
    }
}

/// <summary>A process as the hub sees it.</summary>
internal abstract class TopicSubscriber(string name)
{
    private long _missed;

    public string Name { get; } = name;

    /// <summary>Topics and patterns this process subscribes to (guarded by the hub's lock).</summary>
    public int KeyCount { get; set; }

    /// <summary>Publications this process missed because it was not reading.</summary>
    public long Missed => Interlocked.Read(ref _missed);

    public long CountMissed() => Interlocked.Increment(ref _missed);

    /// <summary>Delivers; <paramref name="frame"/> is the encoded publication, built once by the first remote subscriber that needs it.</summary>
    public abstract bool TryDeliver(Publication publication, ref byte[]? frame);
}

/// <summary>The main process's own subscriptions.</summary>
internal sealed class LocalTopicSubscriber(string name, LocalSubscriptions subscriptions) : TopicSubscriber(name)
{
    public override bool TryDeliver(Publication publication, ref byte[]? frame)
    {
        subscriptions.Dispatch(publication);
        return true;
    }
}

/// <summary>A child process: publications become frames on its connection, unless it is congested.</summary>
internal sealed class SessionTopicSubscriber(IPeerSession session) : TopicSubscriber(session.ProcessName)
{
    public override bool TryDeliver(Publication publication, ref byte[]? frame)
    {
        if (session.IsCongested)
        {
            return false;
        }

        if ((session.Connection.Capabilities & Capabilities.TraceContext) == 0 && TraceEnvelope.IsPresent(publication.Payload))
        {
            // A child without "trace-context" gets the publication without the context it was published with.
            return session.Connection.Outbound.TryAppendWithinRoom(FrameKind.Publication, TopicHub.EncodePublication(publication with { Payload = TraceEnvelope.Strip(publication.Payload).ToArray() }), default) != false;
        }

        frame ??= TopicHub.EncodePublication(publication);

        // Never past the room for flow frames (concurrent publishers may pass the check above together): past it, the
        // publication is missed. A closing connection refuses the frame: the process is gone, which is not a miss to report.
        return session.Connection.Outbound.TryAppendWithinRoom(FrameKind.Publication, frame, default) != false;
    }
}
