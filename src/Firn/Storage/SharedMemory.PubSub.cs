using Firn.Channels;
using Firn.Failures;
using Firn.Storage;
using Firn.Tracing;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <content>Publish/subscribe: every subscriber in every process gets every publication made after it subscribed.</content>
public sealed partial class SharedMemory
{
    /// <summary>
    /// Publishes <paramref name="data"/> on <paramref name="topic"/> to every subscriber in every process, this
    /// one included. Publications from one process reach each subscriber in the order published.
    /// </summary>
    /// <typeparam name="T">The data's type; subscribers of another type (other than <see cref="object"/>) skip it with a logged warning.</typeparam>
    /// <param name="topic">A topic without wildcards.</param>
    /// <param name="data">The data.</param>
    /// <remarks>
    /// Publishing never waits for subscribers. In a child it waits, when it must, for room in the child's own connection
    /// buffer (a burst of large publications is paced by what the main process has read, never overflowing it).
    /// </remarks>
    public void Publish<T>(string topic, T data)
    {
        StoreKeys.ValidateTopic(topic);
        Publish(topic, TypeNames.Of(typeof(T)), data);
    }

    /// <summary>Publishes <paramref name="data"/> (serialized as <typeparamref name="T"/>) under the type name <paramref name="typeName"/>; the topic is valid.</summary>
    internal void Publish<T>(string topic, string typeName, T data)
    {
        var queued = PublishCore(topic, typeName, data);
        if (!queued.IsCompletedSuccessfully)
        {
            queued.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Async form of <see cref="Publish{T}(string, T)"/>: publishing never waits for subscribers, and in a child awaits room in its own connection buffer when there is none.</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The data.</param>
    /// <returns>A task that completes once the publication is queued.</returns>
    public ValueTask PublishAsync<T>(string topic, T data)
    {
        StoreKeys.ValidateTopic(topic);
        return PublishCore(topic, TypeNames.Of(typeof(T)), data);
    }

    private ValueTask PublishCore<T>(string topic, string typeName, T data)
    {
        var buffer = SerializationBuffer.Rent();
        using var span = MessagingSpans.StartSend("publish", topic, buffer, _backend.CarriesTraceContext);
        var envelope = buffer.WrittenCount;
        _serializer.Serialize(buffer, data);
        if (buffer.WrittenCount - envelope > _maxMessageSize.Bytes)
        {
            throw FirnErrors.MessageTooLarge(buffer.WrittenCount - envelope, _maxMessageSize.Bytes, $"A publication on '{topic}'", "Nothing was published.");
        }

        return _backend.PublishAsync(topic, typeName, buffer.WrittenSpan);
    }

    /// <summary>Calls <paramref name="handler"/> for every publication on <paramref name="topic"/> (or matching it, if it contains <c>*</c> or <c>?</c>) made from now on.</summary>
    /// <typeparam name="T">The data's type (<see cref="object"/> accepts any).</typeparam>
    /// <param name="topic">A topic, or a pattern such as <c>orders.*</c>.</param>
    /// <param name="handler">Runs for each publication, one at a time, in order; an exception is logged.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    public Subscription Subscribe<T>(string topic, Action<T> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe<T>(topic, (_, data) => Run(handler, data), options);
    }

    /// <summary>Subscribes with an async handler.</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="topic">A topic or pattern.</param>
    /// <param name="handler">Awaited for each publication, one at a time, in order.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    public Subscription Subscribe<T>(string topic, Func<T, Task> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe<T>(topic, (_, data) => handler(data), options);
    }

    /// <summary>Subscribes with a handler that also gets the topic (useful with patterns).</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="topic">A topic or pattern.</param>
    /// <param name="handler">Called with the publication's topic and data.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    public Subscription Subscribe<T>(string topic, Action<string, T> handler, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe<T>(topic, (t, data) => Run(() => handler(t, data)), options);
    }

    /// <summary>Subscribes with an async handler that also gets the topic.</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="topic">A topic or pattern.</param>
    /// <param name="handler">Awaited with the publication's topic and data.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    public Subscription Subscribe<T>(string topic, Func<string, T, Task> handler, SubscribeOptions? options = null) =>
        SubscribeAsync(topic, handler, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Subscribes, awaiting (instead of blocking on) the main process's confirmation.</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="topic">A topic or pattern.</param>
    /// <param name="handler">Awaited with the publication's topic and data.</param>
    /// <param name="options">Buffer size and overflow behaviour.</param>
    /// <param name="cancellationToken">Abandons the subscription.</param>
    /// <returns>The subscription, once every later publication will reach it.</returns>
    /// <exception cref="TimeoutException">In a child: the main process did not confirm the subscription within <see cref="FirnAppOptions.CallTimeout"/>; it was withdrawn.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the subscription was withdrawn.</exception>
    public ValueTask<Subscription> SubscribeAsync<T>(string topic, Func<string, T, Task> handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(topic, nameof(topic));
        ArgumentNullException.ThrowIfNull(handler);
        return SubscribeAsync(new Subscription<T>(topic, handler, options ?? SubscribeOptions.Default, _serializer, _loggerFactory.CreateLogger("Firn.PubSub"), _subscriptions.Remove), cancellationToken);
    }

    /// <summary>Subscribes with a subscription that decodes publications its own way (events).</summary>
    internal ValueTask<Subscription> SubscribeAsync<T>(string topic, Func<string, T, Task> handler, Func<Publication, T> decode, SubscribeOptions? options, CancellationToken cancellationToken) =>
        SubscribeAsync(new Subscription<T>(topic, handler, options ?? SubscribeOptions.Default, decode, _loggerFactory.CreateLogger("Firn.PubSub"), _subscriptions.Remove), cancellationToken);

    private async ValueTask<Subscription> SubscribeAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        Task? registered = null;
        try
        {
            registered = _subscriptions.Add(subscription);
            await registered.WaitAsync(_subscribeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (registered is { IsCompleted: false })
        {
            // Withdrawn as for any failure: the main process handles the unsubscription after the subscription, in order.
            subscription.Dispose();
            throw FirnErrors.SubscriptionTimedOut(subscription.Topic, _subscribeTimeout);
        }
        catch
        {
            subscription.Dispose();
            throw;
        }

        return subscription;
    }

    private static Task Run<T>(Action<T> handler, T data)
    {
        handler(data);
        return Task.CompletedTask;
    }

    private static Task Run(Action action)
    {
        action();
        return Task.CompletedTask;
    }
}
