using System.Collections.Concurrent;

namespace Firn.Storage;

/// <summary>
/// A process's subscriptions by topic and pattern. The hub knows each topic once per process; this table
/// fans a publication out to every local subscription that matches, each with its own buffer.
/// </summary>
internal sealed class LocalSubscriptions
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // What dispatch reads without the lock: per exact topic an immutable array replaced when that topic changes, and
    // the patterns as one immutable array rebuilt when a pattern changes.
    private readonly ConcurrentDictionary<string, Subscription[]> _exact = new(StringComparer.Ordinal);
    private (TopicPattern Pattern, Subscription[] Subscriptions)[] _patterns = [];
    private IPubSubBackend? _backend;

    public void Bind(IPubSubBackend backend) => _backend = backend;

    /// <summary>Adds a subscription; the task completes when the hub will send this process every later publication on its topic.</summary>
    public Task Add(Subscription subscription)
    {
        var backend = _backend ?? throw new InvalidOperationException("Pub/sub is not available yet: use it after the app started (main) or from the child's entry.");
        lock (_lock)
        {
            if (_entries.TryGetValue(subscription.Topic, out var entry))
            {
                // The hub has this topic already; a subscription added after the connection was lost would never hear from it.
                backend.ThrowIfDisconnected(subscription.Topic);
            }
            else
            {
                entry = new Entry(backend.Register(subscription.Topic, subscription.IsPattern), subscription.IsPattern ? new TopicPattern(subscription.Topic) : null);
                _entries.Add(subscription.Topic, entry);
            }

            entry.Subscriptions.Add(subscription);
            Publish(subscription.Topic);
            return entry.Registered;
        }
    }

    public void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(subscription.Topic, out var entry) || !entry.Subscriptions.Remove(subscription))
            {
                return;
            }

            if (entry.Subscriptions.Count == 0)
            {
                _entries.Remove(subscription.Topic);
                _backend?.Unregister(subscription.Topic, subscription.IsPattern);
            }

            Publish(subscription.Topic);
        }
    }

    public void Dispatch(Publication publication)
    {
        if (_exact.TryGetValue(publication.Topic, out var exact))
        {
            foreach (var subscription in exact)
            {
                subscription.Enqueue(publication);
            }
        }

        foreach (var (pattern, subscriptions) in Volatile.Read(ref _patterns))
        {
            if (pattern.Matches(publication.Topic))
            {
                foreach (var subscription in subscriptions)
                {
                    subscription.Enqueue(publication);
                }
            }
        }
    }

    /// <summary>Makes the subscriptions of <paramref name="key"/> visible to dispatch. Call under the lock.</summary>
    private void Publish(string key)
    {
        if (TopicPattern.IsPattern(key))
        {
            Volatile.Write(ref _patterns, [.. _entries.Where(e => e.Value.Pattern is not null).Select(e => (e.Value.Pattern!, e.Value.Subscriptions.ToArray()))]);
        }
        else if (_entries.TryGetValue(key, out var entry))
        {
            _exact[key] = [.. entry.Subscriptions];
        }
        else
        {
            _exact.TryRemove(key, out _);
        }
    }

    private sealed class Entry(Task registered, TopicPattern? pattern)
    {
        public Task Registered { get; } = registered;

        /// <summary>The parsed pattern, when the key is one (parsed once).</summary>
        public TopicPattern? Pattern { get; } = pattern;

        public List<Subscription> Subscriptions { get; } = [];
    }
}
