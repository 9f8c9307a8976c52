namespace Firn.Transport;

/// <summary>
/// A counting semaphore whose waits sleep at once instead of spinning first (as <see cref="SemaphoreSlim"/> does): the
/// write loop waits for its turn while other threads of a busy process, or of its peer, need the processor more.
/// </summary>
internal sealed class TurnSemaphore
{
    private readonly object _gate = new();
    private int _count;
    private int _sleepers;
    private TaskCompletionSource? _released;

    /// <summary>Turns given and not yet taken.</summary>
    public int CurrentCount => Volatile.Read(ref _count);

    /// <summary>Gives one turn, waking a waiter if there is one.</summary>
    public void Release()
    {
        TaskCompletionSource? released;
        lock (_gate)
        {
            _count++;
            if (_sleepers > 0)
            {
                Monitor.Pulse(_gate);
            }

            released = _released;
            _released = null;
        }

        released?.TrySetResult();
    }

    /// <summary>Takes a turn, waiting up to <paramref name="timeout"/>; false if none came.</summary>
    public bool Wait(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_count == 0)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return false;
                }

                _sleepers++;
                try
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(remaining));
                }
                finally
                {
                    _sleepers--;
                }
            }

            _count--;
            return true;
        }
    }

    /// <summary>Takes a turn, waiting asynchronously.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (_count > 0)
                {
                    _count--;
                    return;
                }

                released = (_released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
