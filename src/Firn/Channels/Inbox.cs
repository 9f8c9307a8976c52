using System.Collections.Concurrent;

namespace Firn.Channels;

/// <summary>
/// The payloads delivered to one channel endpoint and not yet taken: written by read loops (many at a time), read by
/// this process's receivers (passive loops, active receives, selects). Writing is a lock-free enqueue; a writer takes a
/// lock only to wake receivers that wait, once per batch of payloads.
/// </summary>
/// <remarks>
/// The receiver side registers as waiting, then looks again for a payload; the writer side enqueues, then looks for a
/// waiter. With a full fence between each side's write and read, at least one of them sees the other, so no payload
/// is left without a wake.
/// </remarks>
internal sealed class Inbox
{
    private readonly ConcurrentQueue<byte[]> _items = new();
    private readonly object _lock = new();
    private TaskCompletionSource<bool>? _signal;
    private volatile bool _hasWaiter;
    private volatile bool _completed;
    private volatile bool _interrupted;
    private int _sleepers;

    /// <summary>Payloads waiting (a snapshot; for diagnostics and listings).</summary>
    public int Count => _items.Count;

    /// <summary>Whether a payload is waiting now.</summary>
    public bool IsEmpty => _items.IsEmpty;

    /// <summary>Whether nothing more will ever be read: completed, and every payload taken.</summary>
    public bool IsFinished => _completed && _items.IsEmpty;

    /// <summary>Adds a payload; ignored once the inbox is completed.</summary>
    public void Write(byte[] payload)
    {
        if (_completed)
        {
            return;
        }

        _items.Enqueue(payload);
        WakeIfWaited();
    }

    /// <summary>Adds payloads in order, with at most one wake for all of them; ignored once the inbox is completed.</summary>
    public void WriteMany(ReadOnlySpan<byte[]> payloads)
    {
        if (_completed || payloads.IsEmpty)
        {
            return;
        }

        foreach (var payload in payloads)
        {
            _items.Enqueue(payload);
        }

        WakeIfWaited();
    }

    /// <summary>Takes the oldest payload, if any.</summary>
    public bool TryRead(out byte[] payload) => _items.TryDequeue(out payload!);

    /// <summary>
    /// Completes with <see langword="true"/> when a payload may be there to take, or <see langword="false"/> once the
    /// inbox is finished; a canceled <paramref name="cancellationToken"/> ends the wait with <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (!_items.IsEmpty)
        {
            return new ValueTask<bool>(true);
        }

        if (_completed)
        {
            return new ValueTask<bool>(!_items.IsEmpty);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        Task<bool> signal;
        lock (_lock)
        {
            _hasWaiter = true;
            Interlocked.MemoryBarrier();
            if (!_items.IsEmpty)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            signal = (_signal ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        return cancellationToken.CanBeCanceled ? new ValueTask<bool>(signal.WaitAsync(cancellationToken)) : new ValueTask<bool>(signal);
    }

    /// <summary>
    /// Blocks (without spinning) until a payload may be there, the inbox is finished, or <see cref="Interrupt"/> was
    /// called; false if <paramref name="timeout"/> passed first.
    /// </summary>
    public bool WaitToRead(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            _sleepers++;
            try
            {
                while (true)
                {
                    _hasWaiter = true;
                    Interlocked.MemoryBarrier();
                    if (!_items.IsEmpty || _completed || _interrupted)
                    {
                        return true;
                    }

                    var remaining = deadline - Environment.TickCount64;
                    if (remaining <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(remaining)))
                    {
                        return !_items.IsEmpty || _completed || _interrupted;
                    }
                }
            }
            finally
            {
                _sleepers--;
            }
        }
    }

    /// <summary>Wakes every blocking waiter now and from now on (the process is shutting down; they check why themselves).</summary>
    public void Interrupt()
    {
        _interrupted = true;
        Interlocked.MemoryBarrier();
        Wake();
    }

    /// <summary>No more payloads will be written; receivers take what is there, then see the inbox finished.</summary>
    public void Complete()
    {
        _completed = true;
        Interlocked.MemoryBarrier();
        Wake();
    }

    private void WakeIfWaited()
    {
        // Pairs with the fence in WaitToReadAsync: the enqueue above is visible before this read.
        Interlocked.MemoryBarrier();
        if (_hasWaiter)
        {
            Wake();
        }
    }

    private void Wake()
    {
        TaskCompletionSource<bool>? signal;
        lock (_lock)
        {
            signal = _signal;
            _signal = null;
            _hasWaiter = false;
            if (_sleepers > 0)
            {
                Monitor.PulseAll(_lock);
            }
        }

        // Waiters look again: a payload, or a finished inbox (then they see false).
        signal?.TrySetResult(true);
    }
}
