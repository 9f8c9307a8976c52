using System.Collections.Concurrent;
using Firn.Meters;
using Firn.Serialization;

namespace Firn.Storage;

/// <summary>
/// The shared store itself, in the main process. Values are kept as serialized bytes with their type
/// name, so the main process never needs the value's .NET type. Every operation is a single atomic step
/// on one key (compare-and-swap on an immutable entry), which makes the store linearizable per key
/// without locks; expired entries count as absent and are removed lazily and by <see cref="Sweep"/>.
/// </summary>
internal sealed class KeyValueStore : IStoreEngine
{
    private const string Int64TypeName = StoreIncrement.Int64TypeName;

    private readonly ConcurrentDictionary<string, StoreEntry> _entries = new(StringComparer.Ordinal);
    private readonly IFirnSerializer _serializer;
    private readonly Func<long> _clock;
    private readonly FirnMetrics _metrics;
    private long _bytes;

    public KeyValueStore(IFirnSerializer serializer, int maxKeys, long maxBytes, Func<long>? clock = null, FirnMetrics? metrics = null)
    {
        _metrics = metrics ?? FirnMetrics.Disabled;
        _serializer = serializer;
        MaxKeys = maxKeys;
        MaxBytes = maxBytes;
        _clock = clock ?? (() => Environment.TickCount64);
    }

    public int MaxKeys { get; }

    public long MaxBytes { get; }

    /// <summary>Keys held, expired ones included until they are swept.</summary>
    public int Count => _entries.Count;

    /// <summary>Bytes held (keys and values), as counted against <see cref="MaxBytes"/>.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public StoreReply Execute(StoreRequest request)
    {
        var start = _metrics.StartStoreOperation();
        var reply = Run(request);
        _metrics.StoreOperated(start, StoreOperationNames.Of(request.Operation), reply.Status is StoreStatus.Error or StoreStatus.TypeMismatch ? StoreOperationNames.Of(reply.Status) : null);
        return reply;
    }

    /// <summary>Runs the request at once (no allocation beyond the reply's): the task is always completed.</summary>
    public ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken) => new(Execute(request));

    private StoreReply Run(StoreRequest request) => request.Operation switch
    {
        StoreOperation.Get => Get(request.Key),
        StoreOperation.Set => Set(request),
        StoreOperation.Delete => Delete(request.Key),
        StoreOperation.SetIfAbsent => SetIfAbsent(request),
        StoreOperation.CompareAndSet => CompareAndSet(request),
        StoreOperation.Increment => Increment(request.Key, request.Delta),
        StoreOperation.GetAll => GetAll(),
        StoreOperation.Keys => Keys(),
        _ => StoreReply.Error($"Unknown store operation {(byte)request.Operation}."),
    };

    /// <summary>Removes expired entries; the main process calls it periodically.</summary>
    public void Sweep()
    {
        var now = _clock();
        foreach (var pair in _entries)
        {
            if (pair.Value.IsExpired(now) && _entries.TryRemove(pair))
            {
                Interlocked.Add(ref _bytes, -pair.Value.Size);
            }
        }
    }

    private StoreReply Get(string key) =>
        TryGetLive(key, out var entry) ? new StoreReply(StoreStatus.Ok) { Text = entry.TypeName, Payload = entry.Payload } : StoreReply.NotFound;

    private StoreReply Set(StoreRequest request) => Put(request.Key, NewEntry(request), _ => true);

    private StoreReply SetIfAbsent(StoreRequest request) => Put(request.Key, NewEntry(request), current => current.IsExpired(_clock()));

    /// <summary>Stores <paramref name="entry"/>; an existing entry is replaced only if <paramref name="mayReplace"/> allows it (else the reply is false).</summary>
    private StoreReply Put(string key, StoreEntry entry, Func<StoreEntry, bool> mayReplace)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var current))
            {
                if (!mayReplace(current))
                {
                    return StoreReply.False;
                }

                if (CheckRoom(entry.Size - current.Size, addsKey: false) is { } full)
                {
                    return full;
                }

                if (_entries.TryUpdate(key, entry, current))
                {
                    Interlocked.Add(ref _bytes, entry.Size - current.Size);
                    return StoreReply.True;
                }
            }
            else if (TryAdd(key, entry, out var full))
            {
                return full ?? StoreReply.True;
            }
        }
    }

    private StoreReply Delete(string key)
    {
        while (_entries.TryGetValue(key, out var current))
        {
            if (_entries.TryRemove(new KeyValuePair<string, StoreEntry>(key, current)))
            {
                Interlocked.Add(ref _bytes, -current.Size);
                return current.IsExpired(_clock()) ? StoreReply.False : StoreReply.True;
            }
        }

        return StoreReply.False;
    }

    private StoreReply CompareAndSet(StoreRequest request)
    {
        while (true)
        {
            if (!TryGetLive(request.Key, out var current))
            {
                return StoreReply.False;
            }

            if (!string.Equals(current.TypeName, request.TypeName, StringComparison.Ordinal) || !current.Payload.AsSpan().SequenceEqual(request.Expected))
            {
                return StoreReply.False;
            }

            // The entry keeps its expiry: a compare-and-set changes the value, not the lease.
            var entry = new StoreEntry(request.TypeName, request.Payload, current.ExpiresAt, request.Key.Length * 2 + request.Payload.Length);
            if (CheckRoom(entry.Size - current.Size, addsKey: false) is { } full)
            {
                return full;
            }

            if (_entries.TryUpdate(request.Key, entry, current))
            {
                Interlocked.Add(ref _bytes, entry.Size - current.Size);
                return StoreReply.True;
            }
        }
    }

    private StoreReply Increment(string key, long delta)
    {
        while (true)
        {
            var exists = TryGetLive(key, out var current);
            long value;
            if (exists)
            {
                if (StoreIncrement.TryAdd(_serializer, key, current.TypeName, current.Payload, delta, out value) is { } refused)
                {
                    return refused;
                }
            }
            else
            {
                value = delta;
            }

            var payload = SerializeInt64(value);
            var entry = new StoreEntry(Int64TypeName, payload, exists ? current.ExpiresAt : 0, key.Length * 2 + payload.Length);
            if (exists)
            {
                if (_entries.TryUpdate(key, entry, current))
                {
                    Interlocked.Add(ref _bytes, entry.Size - current.Size);
                    return new StoreReply(StoreStatus.Ok) { Number = value };
                }
            }
            else if (_entries.TryGetValue(key, out var expired))
            {
                // Only an expired entry may be replaced from zero; a live one appeared meanwhile (another increment
                // created the key), and the next round adds to it.
                if (expired.IsExpired(_clock()) && _entries.TryUpdate(key, entry, expired))
                {
                    Interlocked.Add(ref _bytes, entry.Size - expired.Size);
                    return new StoreReply(StoreStatus.Ok) { Number = value };
                }
            }
            else if (TryAdd(key, entry, out var full))
            {
                return full ?? new StoreReply(StoreStatus.Ok) { Number = value };
            }
        }
    }

    private StoreReply GetAll()
    {
        var now = _clock();
        var items = new List<StoreItem>();
        foreach (var (key, entry) in _entries)
        {
            if (!entry.IsExpired(now))
            {
                items.Add(new StoreItem(key, entry.TypeName, entry.Payload));
            }
        }

        return new StoreReply(StoreStatus.Ok) { Items = items };
    }

    private StoreReply Keys()
    {
        var now = _clock();
        var items = new List<StoreItem>();
        foreach (var (key, entry) in _entries)
        {
            if (!entry.IsExpired(now))
            {
                items.Add(new StoreItem(key, string.Empty, []));
            }
        }

        return new StoreReply(StoreStatus.Ok) { Items = items };
    }

    private bool TryGetLive(string key, out StoreEntry entry)
    {
        if (!_entries.TryGetValue(key, out entry!))
        {
            return false;
        }

        if (!entry.IsExpired(_clock()))
        {
            return true;
        }

        if (_entries.TryRemove(new KeyValuePair<string, StoreEntry>(key, entry)))
        {
            Interlocked.Add(ref _bytes, -entry.Size);
        }

        return false;
    }

    /// <summary>Adds a new key if there is room; <paramref name="full"/> is set when there is none. Returns false if the key appeared meanwhile (retry).</summary>
    private bool TryAdd(string key, StoreEntry entry, out StoreReply? full)
    {
        full = CheckRoom(entry.Size, addsKey: true);
        if (full is not null)
        {
            // A racing write may have created the key since the caller looked: then this is no longer an added key,
            // and the caller retries against it instead of reporting a full store.
            if (_entries.ContainsKey(key))
            {
                full = null;
                return false;
            }

            return true;
        }

        if (!_entries.TryAdd(key, entry))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, entry.Size);
        return true;
    }

    private StoreReply? CheckRoom(long addedBytes, bool addsKey)
    {
        if (addsKey && _entries.Count >= MaxKeys)
        {
            return StoreReply.Error($"The store holds its maximum of {MaxKeys} keys (FirnAppOptions.StoreMaxKeys); delete keys or raise the limit.");
        }

        if (addedBytes > 0 && Interlocked.Read(ref _bytes) + addedBytes > MaxBytes)
        {
            return StoreReply.Error($"The store would exceed its maximum of {MaxBytes} bytes (FirnAppOptions.StoreMaxBytes); delete keys or raise the limit.");
        }

        return null;
    }

    /// <summary>Now plus <paramref name="timeToLiveMs"/>, saturating: a time to live near long.MaxValue (TimeSpan.MaxValue, or any peer's) must not wrap to the past.</summary>
    private long ExpiryAfter(long timeToLiveMs)
    {
        var now = _clock();
        return timeToLiveMs > long.MaxValue - now ? long.MaxValue : now + timeToLiveMs;
    }

    private StoreEntry NewEntry(StoreRequest request)
    {
        var expiresAt = request.TimeToLiveMs > 0 ? ExpiryAfter(request.TimeToLiveMs) : 0;
        return new StoreEntry(request.TypeName, request.Payload, expiresAt, request.Key.Length * 2 + request.Payload.Length);
    }

    private byte[] SerializeInt64(long value) => StoreIncrement.Serialize(_serializer, value);
}

/// <summary>One stored value: immutable, replaced whole by every write.</summary>
/// <param name="typeName">The value's type name, as <c>TypeNames.Of</c> writes it.</param>
/// <param name="payload">The serialized value.</param>
/// <param name="expiresAt">Clock time (ms) after which it is gone; 0 for never.</param>
/// <param name="size">Bytes counted against the store's limit.</param>
/// <remarks>A class, not a record: compare-and-swap must compare identity, not contents.</remarks>
internal sealed class StoreEntry(string typeName, byte[] payload, long expiresAt, long size)
{
    public string TypeName { get; } = typeName;

    public byte[] Payload { get; } = payload;

    public long ExpiresAt { get; } = expiresAt;

    public long Size { get; } = size;

    public bool IsExpired(long now) => ExpiresAt != 0 && now >= ExpiresAt;
}
