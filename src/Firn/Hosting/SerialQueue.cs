namespace Firn.Hosting;

/// <summary>
/// Runs posted actions one at a time, in posting order, on the thread pool. State changes are published through it
/// so that subscribers see them in the order they happened, and never run under a supervisor's lock or on its path.
/// </summary>
internal sealed class SerialQueue
{
    private readonly Queue<Action> _pending = new();
    private bool _draining;

    public void Post(Action action)
    {
        lock (_pending)
        {
            _pending.Enqueue(action);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.Drain(), this, preferLocal: false);
    }

    /// <summary>Completes once everything posted before the call has run.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(flushed.SetResult);
        return flushed.Task;
    }

    private void Drain()
    {
        while (true)
        {
            Action next;
            lock (_pending)
            {
                if (!_pending.TryDequeue(out next!))
                {
                    _draining = false;
                    return;
                }
            }

            // Posted actions catch their own exceptions; one that does not must not stop the queue.
            try
            {
                next();
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
