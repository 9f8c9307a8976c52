using System.Diagnostics;

namespace Firn.Transport;

/// <summary>
/// Who waits for an <see cref="OutboundBuffer"/> to write what was appended before they asked
/// (<see cref="OutboundBuffer.WaitUntilWrittenAsync"/>): each waits for a count of written bytes, and learns
/// <see langword="false"/> if the connection goes first.
/// </summary>
/// <remarks>
/// Not thread-safe: guarded by the owning buffer's lock. The waiters' tasks are completed by the caller outside it
/// (their continuations run asynchronously anyway, but a lock is best left at once).
/// </remarks>
internal sealed class OutboundFlushWaiters
{
    private readonly Lock _guard;

    /// <summary>Waiters in the order they came, so with targets that never decrease (guarded by the owner's lock).</summary>
    private List<(long Target, TaskCompletionSource<bool> Done)>? _waiters;

    /// <summary>Set once the connection is gone: later waits learn at once that no flush will come (guarded by the owner's lock).</summary>
    private bool _abandoned;

    /// <param name="guard">The owning buffer's lock, which guards this (checked in Debug builds).</param>
    public OutboundFlushWaiters(Lock guard) => _guard = guard;

    /// <summary>Waits until <paramref name="target"/> bytes have been written; <paramref name="written"/> have been.</summary>
    public Task<bool> WaitFor(long target, long written)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Flush waiters are added under the buffer's lock.");
        if (written >= target)
        {
            return Task.FromResult(true);
        }

        if (_abandoned)
        {
            return Task.FromResult(false);
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        (_waiters ??= []).Add((target, done));
        return done.Task;
    }

    /// <summary>Removes the waiters whose target <paramref name="written"/> bytes reached; the caller completes them with <see langword="true"/>.</summary>
    public List<TaskCompletionSource<bool>>? Release(long written)
    {
        if (_waiters is not { Count: > 0 } waiters || waiters[0].Target > written)
        {
            return null;
        }

        // Targets never decrease, so the waiters done are a prefix.
        var count = 1;
        while (count < waiters.Count && waiters[count].Target <= written)
        {
            count++;
        }

        var done = new List<TaskCompletionSource<bool>>(count);
        for (var i = 0; i < count; i++)
        {
            done.Add(waiters[i].Done);
        }

        waiters.RemoveRange(0, count);
        return done;
    }

    /// <summary>The connection is gone: returns every waiter, for the caller to complete with <see langword="false"/>.</summary>
    public List<(long Target, TaskCompletionSource<bool> Done)>? Abandon()
    {
        _abandoned = true;
        var waiters = _waiters;
        _waiters = null;
        return waiters;
    }

    /// <summary>Checks what must hold whenever the owner's lock is released, <paramref name="written"/> bytes having been written (Debug builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants(long written)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Flush waiters are read and changed under the buffer's lock.");
        Debug.Assert(!_abandoned || _waiters is null, "Nobody waits for a flush after the connection is gone.");
        if (_waiters is { } waiters)
        {
            Debug.Assert(waiters.Count == 0 || waiters[0].Target > written, "A waiter whose bytes were written was released.");
            for (var i = 0; i < waiters.Count; i++)
            {
                Debug.Assert(i == 0 || waiters[i - 1].Target <= waiters[i].Target, "Flush targets never decrease.");
            }
        }
    }
}
