namespace Firn.Channels;

/// <summary>
/// The bytes of this process's channel messages that wait in the main process's router (sent, not yet handed to a
/// receiver). A send that would take them past the limit waits until the router reports bytes delivered; one message
/// always fits when nothing waits, so a message up to the size limit can always be sent. The router keeps the same
/// count for each child and disconnects one that goes past it, so the main process never holds more than the limit
/// (plus one message) of any child's messages.
/// </summary>
internal sealed class SendBudget(long limit)
{
    private long _limit = limit;
    private long _outstanding;
    private int _waiters;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The limit; a child takes the main process's value from the handshake, before it sends anything.</summary>
    public long Limit
    {
        get => Volatile.Read(ref _limit);
        set => Volatile.Write(ref _limit, value);
    }

    /// <summary>Bytes sent and not yet reported delivered.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Whether a message of <paramref name="size"/> bytes fits now (the router's rule: nothing waits, or the total stays within the limit).</summary>
    public static bool Fits(long outstanding, int size, long limit) => outstanding == 0 || outstanding + size <= limit;

    public bool TryTake(int size)
    {
        var current = Interlocked.Read(ref _outstanding);
        while (Fits(current, size, Limit))
        {
            var seen = Interlocked.CompareExchange(ref _outstanding, current + size, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Take(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var released = Arm();
            try
            {
                if (TryTake(size))
                {
                    return;
                }

                released.Wait(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    public async ValueTask TakeAsync(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var released = Arm();
            try
            {
                if (TryTake(size))
                {
                    return;
                }

                await released.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    /// <summary>The router delivered (or dropped at close) this many bytes of this process's messages.</summary>
    public void Release(long bytes)
    {
        Interlocked.Add(ref _outstanding, -bytes);
        if (Volatile.Read(ref _waiters) > 0)
        {
            Interlocked.Exchange(ref _released, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>Registers a waiter and returns the signal of the next release; taken before the check, so no release is missed.</summary>
    private Task Arm()
    {
        Interlocked.Increment(ref _waiters);
        return Volatile.Read(ref _released).Task;
    }
}
