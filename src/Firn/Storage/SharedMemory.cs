using Firn.Channels;
using Firn.Failures;
using Firn.Serialization;
using Firn.Storage;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>
/// The key-value store and publish/subscribe shared by every process of the app (the seed's
/// <c>shared_memory</c>). The store lives in the main process; children reach it over their connection,
/// many calls in flight at once. Every operation is atomic and linearizable per key, and a process always
/// reads its own writes. Values travel and are kept as serialized bytes with their type name.
/// </summary>
/// <remarks>
/// Every method has a synchronous form and an async form that takes a <see cref="CancellationToken"/>;
/// cancelling abandons the wait, not the operation (which may still take effect). In a child, every operation (and
/// publish and subscribe) fails with <see cref="FirnDisconnectedException"/> once the connection to the main process is closed.
/// </remarks>
public sealed partial class SharedMemory
{
    private readonly IStoreBackend _store;
    private readonly IPubSubBackend _backend;
    private readonly LocalSubscriptions _subscriptions;
    private readonly IFirnSerializer _serializer;
    private readonly MessageSizeLimit _maxMessageSize;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeSpan _subscribeTimeout;

    internal SharedMemory(IStoreBackend store, IPubSubBackend pubSub, LocalSubscriptions subscriptions, IFirnSerializer serializer, MessageSizeLimit maxMessageSize, ILoggerFactory loggerFactory, TimeSpan subscribeTimeout)
    {
        _subscribeTimeout = subscribeTimeout;
        _store = store;
        _backend = pubSub;
        _subscriptions = subscriptions;
        subscriptions.Bind(pubSub);
        _serializer = serializer;
        _maxMessageSize = maxMessageSize;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, optionally for a limited time.</summary>
    /// <typeparam name="T">The value's type; <see cref="Get{T}"/> must ask for the same type.</typeparam>
    /// <param name="key">A non-empty key of at most <see cref="StoreKeys.MaxLength"/> characters.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">After this long the key disappears; <see langword="null"/> keeps it until deleted.</param>
    public void Set<T>(string key, T value, TimeSpan? timeToLive = null) => Wait(SetAsync(key, value, timeToLive));

    /// <summary>Async form of <see cref="Set{T}"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">Optional time to live.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>Completes once the value is stored.</returns>
    public async ValueTask SetAsync<T>(string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var request = new StoreRequest(StoreOperation.Set, Key(key)) { TypeName = TypeNames.Of(typeof(T)), Payload = Serialize(key, value), TimeToLiveMs = Ttl(timeToLive) };
        Check(key, await _store.ExecuteAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Gets the value of <paramref name="key"/>, or <paramref name="defaultValue"/> if it does not exist.</summary>
    /// <typeparam name="T">The type it was stored as (or <see cref="object"/> for any).</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Returned when the key does not exist or expired.</param>
    /// <returns>The value.</returns>
    /// <exception cref="StoreTypeMismatchException">The value was stored as another type.</exception>
    /// <exception cref="StoreException">The stored bytes do not read as <typeparamref name="T"/>.</exception>
    public T Get<T>(string key, T defaultValue = default!) => Wait(GetAsync(key, defaultValue));

    /// <summary>Async form of <see cref="Get{T}"/>.</summary>
    /// <typeparam name="T">The type it was stored as.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Returned when the key does not exist.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>The value.</returns>
    public async ValueTask<T> GetAsync<T>(string key, T defaultValue = default!, CancellationToken cancellationToken = default)
    {
        var (found, value) = await TryGetAsync<T>(key, cancellationToken).ConfigureAwait(false);
        return found ? value : defaultValue;
    }

    /// <summary>Gets the value of <paramref name="key"/> if it exists.</summary>
    /// <typeparam name="T">The type it was stored as.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns>Whether the key exists.</returns>
    public bool TryGet<T>(string key, out T value)
    {
        (var found, value) = Wait(TryGetAsync<T>(key));
        return found;
    }

    /// <summary>Async form of <see cref="TryGet{T}"/>.</summary>
    /// <typeparam name="T">The type it was stored as.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>Whether it was found, and the value.</returns>
    public async ValueTask<(bool Found, T Value)> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        var reply = await _store.ExecuteAsync(new StoreRequest(StoreOperation.Get, Key(key)), cancellationToken).ConfigureAwait(false);
        if (reply.Status == StoreStatus.NotFound)
        {
            return (false, default!);
        }

        Check(key, reply);
        var wanted = TypeNames.Of(typeof(T));
        if (typeof(T) != typeof(object) && !string.Equals(reply.Text, wanted, StringComparison.Ordinal))
        {
            throw FirnErrors.StoreTypeMismatch(key, reply.Text, wanted);
        }

        return (true, Read<T>(key, reply.Text, reply.Payload));
    }

    /// <summary>Deletes <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it existed.</returns>
    public bool Delete(string key) => Wait(DeleteAsync(key));

    /// <summary>Async form of <see cref="Delete"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>Whether it existed.</returns>
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Check(key, await _store.ExecuteAsync(new StoreRequest(StoreOperation.Delete, Key(key)), cancellationToken).ConfigureAwait(false)).Flag;

    /// <summary>Adds <paramref name="by"/> to the 64-bit integer at <paramref name="key"/> (a missing key counts as 0) and returns the new value, atomically.</summary>
    /// <param name="key">The key.</param>
    /// <param name="by">The amount (may be negative).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="StoreTypeMismatchException">The key holds something other than a <see cref="long"/>.</exception>
    public long Increment(string key, long by = 1) => Wait(IncrementAsync(key, by));

    /// <summary>Async form of <see cref="Increment"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="by">The amount.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>The new value.</returns>
    public async ValueTask<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default) =>
        Check(key, await _store.ExecuteAsync(new StoreRequest(StoreOperation.Increment, Key(key)) { Delta = by }, cancellationToken).ConfigureAwait(false)).Number;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> only if it currently holds <paramref name="expected"/> (same type, same serialized bytes), atomically.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="expected">The value it must hold now.</param>
    /// <param name="value">The new value.</param>
    /// <returns>Whether it was set.</returns>
    public bool CompareAndSet<T>(string key, T expected, T value) => Wait(CompareAndSetAsync(key, expected, value));

    /// <summary>Async form of <see cref="CompareAndSet{T}"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="expected">The value it must hold now.</param>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>Whether it was set.</returns>
    public async ValueTask<bool> CompareAndSetAsync<T>(string key, T expected, T value, CancellationToken cancellationToken = default)
    {
        var request = new StoreRequest(StoreOperation.CompareAndSet, Key(key)) { TypeName = TypeNames.Of(typeof(T)), Expected = Serialize(key, expected), Payload = Serialize(key, value) };
        return Check(key, await _store.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).Flag;
    }

    /// <summary>Sets <paramref name="key"/> only if it does not exist, atomically.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">Optional time to live.</param>
    /// <returns>Whether it was set.</returns>
    public bool SetIfAbsent<T>(string key, T value, TimeSpan? timeToLive = null) => Wait(SetIfAbsentAsync(key, value, timeToLive));

    /// <summary>Async form of <see cref="SetIfAbsent{T}"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">Optional time to live.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>Whether it was set.</returns>
    public async ValueTask<bool> SetIfAbsentAsync<T>(string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var request = new StoreRequest(StoreOperation.SetIfAbsent, Key(key)) { TypeName = TypeNames.Of(typeof(T)), Payload = Serialize(key, value), TimeToLiveMs = Ttl(timeToLive) };
        return Check(key, await _store.ExecuteAsync(request, cancellationToken).ConfigureAwait(false)).Flag;
    }

    /// <summary>Every key and value (values read as <see cref="object"/>: primitives, lists and maps).</summary>
    /// <returns>A snapshot.</returns>
    /// <exception cref="StoreException">A stored value does not read; the message names its key.</exception>
    public IReadOnlyDictionary<string, object?> GetAll() => Wait(GetAllAsync());

    /// <summary>Async form of <see cref="GetAll"/>.</summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>A snapshot.</returns>
    public async ValueTask<IReadOnlyDictionary<string, object?>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        var reply = Check("*", await _store.ExecuteAsync(new StoreRequest(StoreOperation.GetAll, "*"), cancellationToken).ConfigureAwait(false));
        return reply.Items.ToDictionary(item => item.Key, item => Read<object?>(item.Key, item.TypeName, item.Payload), StringComparer.Ordinal);
    }

    /// <summary>Every key (a round trip to the main process from a child).</summary>
    public IReadOnlyList<string> Keys => Wait(GetKeysAsync());

    /// <summary>Async form of <see cref="Keys"/>.</summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>A snapshot of the keys.</returns>
    public async ValueTask<IReadOnlyList<string>> GetKeysAsync(CancellationToken cancellationToken = default)
    {
        var reply = Check("*", await _store.ExecuteAsync(new StoreRequest(StoreOperation.Keys, "*"), cancellationToken).ConfigureAwait(false));
        return [.. reply.Items.Select(item => item.Key)];
    }

    private static string Key(string key)
    {
        StoreKeys.Validate(key);
        return key;
    }

    private static long Ttl(TimeSpan? timeToLive) => timeToLive switch
    {
        null => 0,
        { } ttl when ttl > TimeSpan.Zero => Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds)),
        { } ttl => throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "A time to live must be positive."),
    };

    private static StoreReply Check(string key, StoreReply reply) => reply.Status switch
    {
        StoreStatus.Ok or StoreStatus.NotFound => reply,
        StoreStatus.TypeMismatch => throw FirnErrors.StoreTypeMismatch(reply.Text),
        _ => throw FirnErrors.StoreFailed(key, reply.Text),
    };

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    /// <summary>Reads a stored value; bytes that do not read (any process may have written them) fail with the key named.</summary>
    private T Read<T>(string key, string typeName, byte[] payload)
    {
        try
        {
            return _serializer.Deserialize<T>(payload);
        }
        catch (Exception ex) when (ex is not FirnException)
        {
            // A channel in the value that cannot be opened (a type clash, a lost connection) fails as itself.
            throw FirnErrors.StoredValueUnreadable(key, payload.Length, typeName, TypeNames.Of(typeof(T)), ex);
        }
    }

    private byte[] Serialize<T>(string key, T value)
    {
        var buffer = SerializationBuffer.Rent();
        _serializer.Serialize(buffer, value);
        if (buffer.WrittenCount > _maxMessageSize.Bytes)
        {
            throw FirnErrors.MessageTooLarge(buffer.WrittenCount, _maxMessageSize.Bytes, $"The value for key '{key}'", "Nothing was stored.");
        }

        return ByteArrays.Copy(buffer.WrittenSpan);
    }
}
