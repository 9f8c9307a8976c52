using System.Collections.Concurrent;
using System.Diagnostics;

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
    /// <summary>How long a blocking wait polls before it sleeps (see <see cref="SpinUntilReady"/>).</summary>
    private static readonly TimeSpan SpinBeforeSleep = TimeSpan.FromMicroseconds(50);

    private static readonly long SpinBeforeSleepTicks = (long)(SpinBeforeSleep.TotalSeconds * Stopwatch.Frequency);

    private readonly ConcurrentQueue<ReadOnlyMemory<byte>> _items = new();
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
    public void Write(ReadOnlyMemory<byte> payload)
    {
        if (_completed)
        {
            return;
        }

        _items.Enqueue(payload);
        WakeIfWaited();
    }

    /// <summary>Adds payloads in order, with at most one wake for all of them; ignored once the inbox is completed.</summary>
    public void WriteMany(ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
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
    public bool TryRead(out ReadOnlyMemory<byte> payload) => _items.TryDequeue(out payload);

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
    /// Blocks until a payload may be there, the inbox is finished, or <see cref="Interrupt"/> was called; false if
    /// <paramref name="timeout"/> passed first. A passive handler thread's wait (see <see cref="SpinBeforeSleep"/>).
    /// </summary>
    public bool WaitToRead(TimeSpan timeout) => WaitToRead(timeout, stopOnInterrupt: true);

    /// <summary>
    /// Blocks until a payload may be there or the inbox is finished, false if <paramref name="timeout"/> passed first
    /// (<see cref="Timeout.InfiniteTimeSpan"/> waits forever): an active receiver's wait, which <see cref="Interrupt"/>
    /// does not end.
    /// </summary>
    public bool WaitToReceive(TimeSpan timeout) => WaitToRead(timeout, stopOnInterrupt: false);

    private bool WaitToRead(TimeSpan timeout, bool stopOnInterrupt)
    {
        if (timeout != TimeSpan.Zero && SpinUntilReady(stopOnInterrupt))
        {
            return true;
        }

        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        lock (_lock)
        {
            _sleepers++;
            try
            {
                while (true)
                {
                    _hasWaiter = true;
                    Interlocked.MemoryBarrier();
                    if (IsReady(stopOnInterrupt))
                    {
                        return true;
                    }

                    var remaining = deadline - Environment.TickCount64;
                    if (remaining <= 0 || !Monitor.Wait(_lock, deadline == long.MaxValue ? Timeout.Infinite : (int)Math.Min(remaining, int.MaxValue)))
                    {
                        return IsReady(stopOnInterrupt);
                    }
                }
            }
            finally
            {
                _sleepers--;
            }
        }
    }

    /// <summary>
    /// Polls for up to <see cref="SpinBeforeSleep"/> (yielding the processor between looks) before a blocking wait sleeps.
    /// A round trip usually answers within that time, and a thread woken from a monitor by another processor costs far
    /// more: on a 2-vCPU machine a Firn round trip (B2) took 89–99 µs with a receiver that slept at once, 47.8 µs when it
    /// blocked on a task completed through a pool worker (which spins before it parks), and 42.4 µs with this poll in
    /// the receiver and the handler threads (medians of paired runs).
    /// </summary>
    private bool SpinUntilReady(bool stopOnInterrupt)
    {
        var until = Stopwatch.GetTimestamp() + SpinBeforeSleepTicks;
        var spinner = default(SpinWait);
        do
        {
            if (IsReady(stopOnInterrupt))
            {
                return true;
            }

            // Never sleeps a whole millisecond; after a few rounds it yields to the threads that will bring the payload.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Stopwatch.GetTimestamp() < until);
        return false;
    }

    private bool IsReady(bool stopOnInterrupt) => !_items.IsEmpty || _completed || (stopOnInterrupt && _interrupted);

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
        // Pairs with the fence in every wait (WaitToReadAsync, WaitToRead, WaitToReceive): the enqueue above is visible before this read.
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
