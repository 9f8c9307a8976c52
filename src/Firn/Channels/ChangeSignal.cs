namespace Firn.Channels;

/// <summary>
/// Wakes threads and tasks that wait for a lock-free counter to change (send credits, a byte budget). A waiter arms
/// the signal, checks the counter, and waits only if the check failed; whoever changes the counter releases it
/// afterwards. Blocking waits sleep on a monitor without spinning, so a sender held back by a slow receiver costs no
/// processor time, which on a small machine is what the receiver needs to catch up.
/// </summary>
/// <remarks>
/// No release is missed: a waiter counts itself (a full fence) before its check, and a releaser changes the counter
/// (a full fence) before it looks for waiters; so either the check sees the change, or the releaser sees the waiter
/// and moves the version on, which the waiter compares before it sleeps.
/// </remarks>
internal sealed class ChangeSignal
{
    private readonly object _gate = new();
    private int _waiters;
    private long _version;
    private TaskCompletionSource? _changed;

    /// <summary>Counts a waiter in; call before checking the counter, and <see cref="Disarm"/> when done.</summary>
    /// <returns>The version to pass to <see cref="Wait"/> or <see cref="WaitAsync"/>.</returns>
    public long Arm()
    {
        Interlocked.Increment(ref _waiters);
        return Volatile.Read(ref _version);
    }

    /// <summary>Counts a waiter out.</summary>
    public void Disarm() => Interlocked.Decrement(ref _waiters);

    /// <summary>The counter changed: wake every waiter (cheap when none waits).</summary>
    public void Release()
    {
        if (Volatile.Read(ref _waiters) == 0)
        {
            return;
        }

        TaskCompletionSource? changed;
        lock (_gate)
        {
            _version++;
            changed = _changed;
            _changed = null;
            Monitor.PulseAll(_gate);
        }

        changed?.TrySetResult();
    }

    /// <summary>Blocks until a release after <paramref name="version"/>, or throws when <paramref name="cancellationToken"/> fires.</summary>
    public void Wait(long version, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((ChangeSignal)state!).WakeAll(), this)
            : default;
        lock (_gate)
        {
            while (_version == version && !cancellationToken.IsCancellationRequested)
            {
                Monitor.Wait(_gate);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Completes at a release after <paramref name="version"/>; cancelled by <paramref name="cancellationToken"/>.</summary>
    public Task WaitAsync(long version, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (_version != version)
            {
                return Task.CompletedTask;
            }

            changed = (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        return changed.WaitAsync(cancellationToken);
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
