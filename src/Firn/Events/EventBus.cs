using Firn.Channels;
using Firn.Storage;
using Firn.Transport;

namespace Firn;

/// <summary>
/// Events across processes (<c>app.Events</c>): <see cref="Publish(Event)"/> from any process reaches every
/// subscriber of its name in every process, the publisher's own included. Events travel over pub/sub as the
/// topic <c>event:{name}</c>, with pub/sub's guarantees (order per publisher, a bounded buffer per subscription).
/// </summary>
public sealed class EventBus
{
    /// <summary>The pub/sub topic of an event is this prefix followed by the event's name.</summary>
    public const string TopicPrefix = "event:";

    /// <summary>The type name events carry on pub/sub.</summary>
    internal static readonly string EventTypeName = TypeNames.Of(typeof(Event));

    private readonly SharedMemory _memory;
    private readonly IFirnSerializer _serializer;

    internal EventBus(SharedMemory memory, IFirnSerializer serializer)
    {
        _memory = memory;
        _serializer = serializer;
    }

    /// <summary>Publishes <paramref name="event"/> to every subscriber of its name.</summary>
    /// <param name="event">The event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="event"/> is <see langword="null"/>.</exception>
    /// <exception cref="MessageTooLargeException">The data serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was published.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    public void Publish(Event @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        _memory.Publish(TopicPrefix + @event.Name, EventTypeName, @event.Data);
    }

    /// <summary>Publishes an event named <paramref name="name"/> with <paramref name="data"/>.</summary>
    /// <param name="name">The event's name.</param>
    /// <param name="data">Its data.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long, contains <c>*</c> or <c>?</c>, or contains a lone surrogate.</exception>
    /// <exception cref="MessageTooLargeException">The data serialized to more than <see cref="FirnAppOptions.MaxMessageSize"/>; nothing was published.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    public void Publish(string name, object? data = null) => Publish(new Event(name, data));

    /// <summary>Calls <paramref name="handler"/> for every event named <paramref name="name"/> (or matching it, with <c>*</c> and <c>?</c>) published from now on.</summary>
    /// <param name="name">An event name, or a pattern such as <c>user.*</c>.</param>
    /// <param name="handler">Runs for each event, one at a time, in order; an exception is logged.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long or contains a lone surrogate, or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    /// <exception cref="StoreException">In a child: the main process refused the subscription, or the connection to it is closed.</exception>
    public Subscription Subscribe(string name, Action<Event> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe(
            name,
            e =>
            {
                handler(e);
                return Task.CompletedTask;
            },
            options);
    }

    /// <summary>Subscribes with an async handler.</summary>
    /// <param name="name">An event name or pattern.</param>
    /// <param name="handler">Awaited for each event, one at a time, in order.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long or contains a lone surrogate, or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    /// <exception cref="StoreException">In a child: the main process refused the subscription, or the connection to it is closed.</exception>
    public Subscription Subscribe(string name, Func<Event, Task> handler, SubscribeOptions? options = null) =>
        SubscribeAsync(name, handler, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Subscribes, awaiting (instead of blocking on) the main process's confirmation.</summary>
    /// <param name="name">An event name or pattern.</param>
    /// <param name="handler">Awaited for each event.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <param name="cancellationToken">Abandons the subscription.</param>
    /// <returns>The subscription, once every later event will reach it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long or contains a lone surrogate, or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    /// <exception cref="StoreException">In a child: the main process refused the subscription, or the connection to it is closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the subscription was withdrawn.</exception>
    public ValueTask<Subscription> SubscribeAsync(string name, Func<Event, Task> handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateName(name, nameof(name), allowPattern: true);
        ArgumentNullException.ThrowIfNull(handler);
        return _memory.SubscribeAsync<Event>(
            TopicPrefix + name,
            (_, e) => handler(e),
            publication => new Event(publication.Topic[TopicPrefix.Length..], publication.Payload, _serializer),
            options,
            cancellationToken);
    }

    internal static void ValidateName(string name, string paramName, bool allowPattern)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0 || name.Length > StoreKeys.MaxLength - TopicPrefix.Length)
        {
            throw new ArgumentException($"An event name has 1 to {StoreKeys.MaxLength - TopicPrefix.Length} characters; got {name.Length}.", paramName);
        }

        WellFormedUtf16.ThrowIfIllFormed(name, "An event name", paramName);
        if (!allowPattern && TopicPattern.IsPattern(name))
        {
            throw new ArgumentException($"Event name '{name}' contains a wildcard; '*' and '?' are only for subscribing to several names.", paramName);
        }
    }
}
