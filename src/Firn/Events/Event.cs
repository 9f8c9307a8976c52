using Firn.Channels;
using Firn.Serialization;

namespace Firn;

/// <summary>
/// A named event with optional data (the seed's <c>Event(name, data)</c>), published to every process with
/// <see cref="EventBus.Publish(Event)"/>. A received event's <see cref="Data"/> is read without knowing its type
/// (primitives, lists and maps); <see cref="GetData{T}"/> reads it as a type of your choice.
/// </summary>
public sealed class Event
{
    private readonly ReadOnlyMemory<byte>? _payload;
    private readonly IFirnSerializer? _serializer;
    private readonly Lazy<object?>? _received;

    /// <summary>Creates an event to publish.</summary>
    /// <param name="name">The event's name, such as <c>user.joined</c> (no <c>*</c> or <c>?</c>: those are for subscribing).</param>
    /// <param name="data">Its data; any serializable value, or <see langword="null"/>.</param>
    public Event(string name, object? data = null)
    {
        EventBus.ValidateName(name, nameof(name), allowPattern: false);
        Name = name;
        _received = null;
        LocalData = data;
    }

    internal Event(string name, ReadOnlyMemory<byte> payload, IFirnSerializer serializer)
    {
        Name = name;
        _payload = payload;
        _serializer = serializer;

        // Read on first use: a handler that only calls GetData<T> never pays for (or fails on) the untyped form.
        _received = new Lazy<object?>(() => serializer.Deserialize<object?>(payload), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The event's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The data. On an event you created, the object you gave; on a received event (in any process, the publisher's
    /// included), the data read without knowing its type: primitives, lists and maps.
    /// </summary>
    public object? Data => _received is null ? LocalData : _received.Value;

    private object? LocalData { get; }

    /// <summary>Reads the data as <typeparamref name="T"/>: a received event's data is deserialized as <typeparamref name="T"/>; an event you created returns its data cast to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type to read the data as (for example the record the publisher sent).</typeparam>
    /// <returns>The data.</returns>
    /// <exception cref="InvalidCastException">The data cannot be read as <typeparamref name="T"/>.</exception>
    public T GetData<T>()
    {
        if (_payload is { } payload)
        {
            try
            {
                return _serializer!.Deserialize<T>(payload);
            }
#pragma warning disable CA1031 // Any failure to read the data is reported as a cast that cannot be made.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                throw new InvalidCastException($"The data of event '{Name}' cannot be read as {TypeNames.Of(typeof(T))}: {ex.Message}", ex);
            }
        }

        return Data is T data || (Data is null && default(T) is null)
            ? (T)Data!
            : throw new InvalidCastException($"The data of event '{Name}' is {(Data is null ? "null" : TypeNames.Of(Data.GetType()))}, not {TypeNames.Of(typeof(T))}.");
    }

    /// <inheritdoc />
    public override string ToString() => Data is null ? $"Event '{Name}'" : $"Event '{Name}': {Data}";
}
