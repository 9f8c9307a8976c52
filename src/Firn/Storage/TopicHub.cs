using Firn.Hosting;
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
    private Snapshot _snapshot = Snapshot.Empty;

    public TopicHub(ILogger logger) => _logger = logger;

    public void Add(TopicSubscriber subscriber, string key)
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
            }

            _snapshot = Snapshot.Build(_byKey);
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
                }

                _snapshot = Snapshot.Build(_byKey);
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
                if (subscribers.Remove(subscriber) && subscribers.Count == 0)
                {
                    _byKey.Remove(key);
                }
            }

            subscriber.KeyCount = 0;
            _snapshot = Snapshot.Build(_byKey);
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

    public void Publish(string topic, string typeName, byte[] payload)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var publication = new Publication(topic, typeName, payload);
        byte[]? frame = null;
        snapshot.Exact.TryGetValue(topic, out var exact);
        HashSet<TopicSubscriber>? delivered = null;
        foreach (var (pattern, subscribers) in snapshot.Patterns)
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
            if (subscriber.CountMissed() == 1)
            {
                LogMissed(subscriber.Name, publication.Topic);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Process}' is not reading its connection; it misses publications (first on '{Topic}')")]
    private partial void LogMissed(string process, string topic);

    private sealed record Snapshot(Dictionary<string, TopicSubscriber[]> Exact, (TopicPattern Pattern, TopicSubscriber[] Subscribers)[] Patterns)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, TopicSubscriber[]>(StringComparer.Ordinal), []);

        public static Snapshot Build(Dictionary<string, HashSet<TopicSubscriber>> byKey)
        {
            var exact = new Dictionary<string, TopicSubscriber[]>(StringComparer.Ordinal);
            var patterns = new List<(TopicPattern, TopicSubscriber[])>();
            foreach (var (key, subscribers) in byKey)
            {
                if (TopicPattern.IsPattern(key))
                {
                    patterns.Add((new TopicPattern(key), [.. subscribers]));
                }
                else
                {
                    exact[key] = [.. subscribers];
                }
            }

            return new Snapshot(exact, [.. patterns]);
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
internal sealed class SessionTopicSubscriber(ChildSession session) : TopicSubscriber(session.ProcessName)
{
    public override bool TryDeliver(Publication publication, ref byte[]? frame)
    {
        if (session.IsCongested)
        {
            return false;
        }

        frame ??= TopicHub.EncodePublication(publication);

        // A closing connection refuses the frame: the process is gone, which is not a miss to report.
        session.Connection.Send(FrameKind.Publication, frame);
        return true;
    }
}
