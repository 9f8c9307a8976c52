using System.Runtime.CompilerServices;
using Firn.Channels;
using Firn.Tracing;

namespace Firn;

/// <content>Active receive mode: the app pulls messages.</content>
public sealed partial class Channel<T>
{
    /// <summary>Waits for the next message (active mode).</summary>
    /// <returns>The message.</returns>
    /// <exception cref="ChannelClosedException">The channel was closed and everything delivered was consumed.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process closed and everything delivered was consumed.</exception>
    public T Receive() => Receive(Timeout.InfiniteTimeSpan);

    /// <summary>Waits up to <paramref name="timeout"/> for the next message (active mode).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">No message arrived in time.</exception>
    /// <exception cref="ChannelClosedException">The channel was closed and everything delivered was consumed.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process closed and everything delivered was consumed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or longer than <c>int.MaxValue</c> ms (about 24.8 days).</exception>
    /// <remarks>
    /// Blocks the calling thread. On a thread of its own it polls the channel for up to 50 µs before it sleeps, so a
    /// reply that comes quickly is taken without waking a sleeping thread: the quickest wait. On a thread-pool thread it
    /// blocks on <see cref="ReceiveAsync(CancellationToken)"/>'s task instead, a wait the pool sees and makes up for with
    /// another thread; awaiting <c>ReceiveAsync</c> there is better still.
    /// </remarks>
    public T Receive(TimeSpan timeout)
    {
        Deadline.Validate(timeout);
        if (TryReceive(out var message))
        {
            return message;
        }

        return Thread.CurrentThread.IsThreadPoolThread ? ReceiveOnPoolThread(timeout) : ReceiveOnOwnThread(timeout);
    }

    /// <summary>Waits on the inbox on this thread: the read loop's wake reaches it directly, with no hop through the pool.</summary>
    private T ReceiveOnOwnThread(TimeSpan timeout)
    {
        var inbound = _endpoint.Inbound;
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        while (true)
        {
            if (inbound.TryRead(out var payload))
            {
                return Consume(payload);
            }

            _endpoint.FlushAcks();
            var remaining = deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
            if (!inbound.WaitToReceive(remaining))
            {
                throw new TimeoutException($"No message arrived on channel '{Name}' within {timeout}.");
            }

            if (inbound.IsFinished)
            {
                throw _endpoint.ClosedException();
            }
        }
    }

    /// <summary>
    /// Blocks on the task of an asynchronous receive: the pool counts a thread blocked on a task and adds another, where
    /// a monitor's sleep would hide it, and enough receivers asleep on pool threads would starve what should answer them.
    /// </summary>
    private T ReceiveOnPoolThread(TimeSpan timeout) => ReceiveAsync(timeout).AsTask().GetAwaiter().GetResult();

    /// <summary>Waits for the next message asynchronously (active mode).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ChannelClosedException">The channel was closed and everything delivered was consumed.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process closed and everything delivered was consumed.</exception>
    public async ValueTask<T> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        _endpoint.EnsureMode(ReceiveMode.Active);
        var inbound = _endpoint.Inbound;
        while (true)
        {
            if (inbound.TryRead(out var payload))
            {
                return Consume(payload);
            }

            _endpoint.FlushAcks();
            if (!await inbound.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw _endpoint.ClosedException();
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the next message asynchronously (active mode).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">No message arrived in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ChannelClosedException">The channel was closed and everything delivered was consumed.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process closed and everything delivered was consumed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>) or longer than <c>int.MaxValue</c> ms (about 24.8 days).</exception>
    public async ValueTask<T> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.Validate(timeout);
        if (TryReceive(out var message))
        {
            return message;
        }

        using var deadline = Deadline.Start(timeout, cancellationToken);
        try
        {
            return await ReceiveAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.HasExpired(cancellationToken))
        {
            throw new TimeoutException($"No message arrived on channel '{Name}' within {timeout}.");
        }
    }

    /// <summary>Takes a message if one is already here (active mode).</summary>
    /// <param name="message">The message, when the result is <see langword="true"/>.</param>
    /// <returns>Whether a message was taken.</returns>
    public bool TryReceive(out T message)
    {
        _endpoint.EnsureMode(ReceiveMode.Active);
        if (_endpoint.Inbound.TryRead(out var payload))
        {
            message = Consume(payload);
            return true;
        }

        _endpoint.FlushAcks();
        message = default!;
        return false;
    }

    /// <summary>Reads messages until the channel is closed (active mode).</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The messages, in delivery order.</returns>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _endpoint.EnsureMode(ReceiveMode.Active);
        var inbound = _endpoint.Inbound;
        while (true)
        {
            while (inbound.TryRead(out var payload))
            {
                yield return Consume(payload);
            }

            _endpoint.FlushAcks();
            if (!await inbound.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }

    /// <summary>Reads a delivered payload and counts it consumed, even if it cannot be read.</summary>
    internal T Consume(ReadOnlyMemory<byte> payload)
    {
        try
        {
            MessagingSpans.Received(Name, payload);
            return ReadDelivered(payload);
        }
        finally
        {
            _endpoint.Consumed(flushWhenEmpty: true);
        }
    }
}
