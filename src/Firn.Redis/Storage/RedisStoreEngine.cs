using Firn.Redis.Connection;
using Firn.Serialization;
using Firn.Storage;
using StackExchange.Redis;

namespace Firn.Redis.Storage;

/// <summary>
/// The shared store on Redis keys, one string per Firn key (<see cref="RedisValueCodec"/>). Get, Set, SetIfAbsent
/// (<c>SET NX</c>) and Delete are one command each; CompareAndSet is a script; Increment reads, computes with the
/// app's serializer, and writes back with that script, again when another process wrote in between. Redis expires keys
/// itself. A Redis failure is a reply with <see cref="StoreStatus.Error"/> naming Redis, never an exception.
/// </summary>
internal sealed class RedisStoreEngine(IConnectionMultiplexer multiplexer, RedisNames names, IFirnSerializer serializer) : IStoreEngine
{
    /// <summary>Replaces the value if it is still the expected one (type name and bytes), keeping its time to live.</summary>
    private const string CompareAndSetScript = """
        local current = redis.call('GET', KEYS[1])
        if current ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
        return 1
        """;

    private const int ScanPage = 1000;

    /// <summary>Increments of one key in this process take turns (by key hash, in stripes), see <see cref="IncrementAsync"/>.</summary>
    private const int IncrementStripes = 256;

    private readonly SemaphoreSlim[] _incrementTurns = [.. Enumerable.Range(0, IncrementStripes).Select(_ => new SemaphoreSlim(1, 1))];

    private readonly IDatabase _database = multiplexer.GetDatabase();

    public async ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(request).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            return StoreReply.Error(
                $"The store on Redis failed ({ex.GetType().Name}: {ex.Message}). Redis may be down or unreachable; the connection is retried by itself. A write that timed out may still have been applied.");
        }
    }

    private Task<StoreReply> RunAsync(StoreRequest request) => request.Operation switch
    {
        StoreOperation.Get => GetAsync(request.Key),
        StoreOperation.Set => SetAsync(request, When.Always),
        StoreOperation.SetIfAbsent => SetAsync(request, When.NotExists),
        StoreOperation.Delete => DeleteAsync(request.Key),
        StoreOperation.CompareAndSet => CompareAndSetAsync(request),
        StoreOperation.Increment => IncrementAsync(request.Key, request.Delta),
        StoreOperation.GetAll => ListAsync(withValues: true),
        StoreOperation.Keys => ListAsync(withValues: false),
        _ => Task.FromResult(StoreReply.Error($"Unknown store operation {(byte)request.Operation}.")),
    };

    private async Task<StoreReply> GetAsync(string key)
    {
        var value = await _database.StringGetAsync(names.StoreKey(key)).ConfigureAwait(false);
        if (value.IsNull)
        {
            return StoreReply.NotFound;
        }

        var (typeName, payload) = RedisValueCodec.Decode((byte[])value!);
        return new StoreReply(StoreStatus.Ok) { Text = typeName, Payload = payload };
    }

    private async Task<StoreReply> SetAsync(StoreRequest request, When when)
    {
        TimeSpan? expiry = request.TimeToLiveMs > 0 ? TimeSpan.FromMilliseconds(request.TimeToLiveMs) : null;
        var value = RedisValueCodec.Encode(request.TypeName, request.Payload);
        return await _database.StringSetAsync(names.StoreKey(request.Key), value, expiry, when).ConfigureAwait(false) ? StoreReply.True : StoreReply.False;
    }

    private async Task<StoreReply> DeleteAsync(string key) =>
        await _database.KeyDeleteAsync(names.StoreKey(key)).ConfigureAwait(false) ? StoreReply.True : StoreReply.False;

    private async Task<StoreReply> CompareAndSetAsync(StoreRequest request)
    {
        var expected = RedisValueCodec.Encode(request.TypeName, request.Expected);
        var replacement = RedisValueCodec.Encode(request.TypeName, request.Payload);
        return await SwapAsync(names.StoreKey(request.Key), expected, replacement).ConfigureAwait(false) ? StoreReply.True : StoreReply.False;
    }

    private async Task<bool> SwapAsync(RedisKey key, byte[] expected, byte[] replacement) =>
        (long)await _database.ScriptEvaluateAsync(CompareAndSetScript, [key], [expected, replacement]).ConfigureAwait(false) == 1;

    /// <summary>
    /// Optimistic: read, add with the app's serializer (its bytes are what every process reads), and swap only if nobody
    /// wrote meanwhile; a missing key is created by <c>SET NX</c>. Another write in between means one more round, so
    /// concurrent increments from any number of processes all count, and the key keeps its time to live. The increments
    /// of one key in this main process (its own and its children's) take turns, so only main processes contend for a
    /// key: without turns, a thousand increments in flight at once would each retry up to a thousand times.
    /// </summary>
    private async Task<StoreReply> IncrementAsync(string key, long delta)
    {
        var turn = _incrementTurns[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % IncrementStripes];
        await turn.WaitAsync().ConfigureAwait(false);
        try
        {
            return await IncrementInTurnAsync(key, delta).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task<StoreReply> IncrementInTurnAsync(string key, long delta)
    {
        var redisKey = names.StoreKey(key);
        while (true)
        {
            var current = await _database.StringGetAsync(redisKey).ConfigureAwait(false);
            if (current.IsNull)
            {
                var created = RedisValueCodec.Encode(StoreIncrement.Int64TypeName, StoreIncrement.Serialize(serializer, delta));
                if (await _database.StringSetAsync(redisKey, created, expiry: null, When.NotExists).ConfigureAwait(false))
                {
                    return new StoreReply(StoreStatus.Ok) { Number = delta };
                }

                continue;
            }

            var currentBytes = (byte[])current!;
            var (typeName, payload) = RedisValueCodec.Decode(currentBytes);
            if (StoreIncrement.TryAdd(serializer, key, typeName, payload, delta, out var value) is { } refused)
            {
                return refused;
            }

            var replacement = RedisValueCodec.Encode(StoreIncrement.Int64TypeName, StoreIncrement.Serialize(serializer, value));
            if (await SwapAsync(redisKey, currentBytes, replacement).ConfigureAwait(false))
            {
                return new StoreReply(StoreStatus.Ok) { Number = value };
            }
        }
    }

    /// <summary>Every key of the application, by SCAN within the prefix (never KEYS), with their values read by MGET per page.</summary>
    private async Task<StoreReply> ListAsync(bool withValues)
    {
        var items = new List<StoreItem>();
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await _database.ExecuteAsync("SCAN", cursor, "MATCH", names.EveryStoreKey, "COUNT", ScanPage).ConfigureAwait(false))!;
            cursor = (string)page[0]!;
            var keys = ((RedisResult[])page[1]!).Select(k => (RedisKey)(string)k!).ToArray();
            if (keys.Length == 0)
            {
                continue;
            }

            if (!withValues)
            {
                items.AddRange(keys.Select(k => new StoreItem(names.KeyOf(k), string.Empty, [])));
                continue;
            }

            var values = await _database.StringGetAsync(keys).ConfigureAwait(false);
            for (var i = 0; i < keys.Length; i++)
            {
                // A key that expired or was deleted since the scan saw it is gone.
                if (!values[i].IsNull)
                {
                    var (typeName, payload) = RedisValueCodec.Decode((byte[])values[i]!);
                    items.Add(new StoreItem(names.KeyOf(keys[i]), typeName, payload));
                }
            }
        }
        while (cursor != "0");

        // SCAN may return a key twice (when the keyspace is rehashed meanwhile); the store lists each key once.
        return new StoreReply(StoreStatus.Ok) { Items = items.DistinctBy(item => item.Key, StringComparer.Ordinal).ToList() };
    }
}
