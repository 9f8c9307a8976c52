namespace Firn.Transport;

/// <summary>
/// A counting semaphore whose waits spin only briefly before they sleep (<see cref="SemaphoreSlim"/> spins longer): the
/// write loop waits for its turn while other threads of a busy process, or of its peer, need the processor more.
/// </summary>
internal sealed class TurnSemaphore
{
    private const int SpinsBeforeSleeping = 20;

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
        // A short spin first: a turn handed over within microseconds (a burst of requests and replies) is taken without
        // sleeping, which costs the releasing thread a wake-up; past it the wait sleeps instead of taking the processor.
        var spinner = default(SpinWait);
        for (var i = 0; i < SpinsBeforeSleeping && Volatile.Read(ref _count) == 0; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

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
