namespace Firn.Storage;

/// <summary>How a process's subscriptions reach the publishers: the main process's hub directly, or frames in a child.</summary>
internal interface IPubSubBackend
{
    /// <summary>Tells the hub this process subscribes to <paramref name="key"/>; completes once the hub has it. Called under the table's lock, so it only enqueues.</summary>
    Task Register(string key, bool isPattern);

    /// <summary>Tells the hub this process no longer subscribes to <paramref name="key"/>.</summary>
    void Unregister(string key, bool isPattern);

    void Publish(string topic, string typeName, ReadOnlySpan<byte> payload);
}

/// <summary>
/// A process's subscriptions by topic and pattern. The hub knows each topic once per process; this table
/// fans a publication out to every local subscription that matches, each with its own buffer.
/// </summary>
internal sealed class LocalSubscriptions
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private IPubSubBackend? _backend;
    private Snapshot _snapshot = Snapshot.Empty;

    public void Bind(IPubSubBackend backend) => _backend = backend;

    /// <summary>Adds a subscription; the task completes when the hub will send this process every later publication on its topic.</summary>
    public Task Add(Subscription subscription)
    {
        var backend = _backend ?? throw new InvalidOperationException("Pub/sub is not available yet: use it after the app started (main) or from the child's entry.");
        lock (_lock)
        {
            if (!_entries.TryGetValue(subscription.Topic, out var entry))
            {
                entry = new Entry(backend.Register(subscription.Topic, subscription.IsPattern));
                _entries.Add(subscription.Topic, entry);
            }

            entry.Subscriptions.Add(subscription);
            _snapshot = Snapshot.Build(_entries);
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

            _snapshot = Snapshot.Build(_entries);
        }
    }

    public void Dispatch(Publication publication)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.Exact.TryGetValue(publication.Topic, out var exact))
        {
            foreach (var subscription in exact)
            {
                subscription.Enqueue(publication);
            }
        }

        foreach (var (pattern, subscriptions) in snapshot.Patterns)
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

    private sealed class Entry(Task registered)
    {
        public Task Registered { get; } = registered;

        public List<Subscription> Subscriptions { get; } = [];
    }

    /// <summary>An immutable copy for publishing threads, rebuilt on every (rare) subscription change.</summary>
    private sealed record Snapshot(Dictionary<string, Subscription[]> Exact, (TopicPattern Pattern, Subscription[] Subscriptions)[] Patterns)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, Subscription[]>(StringComparer.Ordinal), []);

        public static Snapshot Build(Dictionary<string, Entry> entries)
        {
            var exact = new Dictionary<string, Subscription[]>(StringComparer.Ordinal);
            var patterns = new List<(TopicPattern, Subscription[])>();
            foreach (var (key, entry) in entries)
            {
                if (TopicPattern.IsPattern(key))
                {
                    patterns.Add((new TopicPattern(key), [.. entry.Subscriptions]));
                }
                else
                {
                    exact[key] = [.. entry.Subscriptions];
                }
            }

            return new Snapshot(exact, [.. patterns]);
        }
    }
}
