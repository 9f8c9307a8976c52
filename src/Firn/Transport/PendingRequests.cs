using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Firn.Transport;

/// <summary>A request waiting in a <see cref="PendingRequests{TEntry}"/> for its reply.</summary>
internal interface IPendingRequest
{
    /// <summary>How long it may wait for its reply; set by <see cref="PendingRequests{TEntry}.Add"/>.</summary>
    TimeSpan Timeout { get; set; }

    /// <summary>When the sweep fails it (<see cref="Environment.TickCount64"/>), or 0 when no sweep watches it; set by <see cref="PendingRequests{TEntry}.Add"/>.</summary>
    long Deadline { get; set; }

    /// <summary>Fails the request; called at most once, by whoever took it out of the table.</summary>
    void Fail(Exception exception);
}

/// <summary>
/// The requests this process sent over one connection and has not yet seen answered, by id: the one correlator of every
/// request/reply exchange (channel opens and listings, store requests, subscriptions, RPC registrations and calls). It
/// allocates ids, fails a request whose deadline passes, forgets one whose caller gave up, and fails every request, and
/// refuses new ones, once the connection is gone. Replies may arrive in any order and on any thread; nothing is held
/// across a round trip, so any number of requests from any number of threads are in flight at once.
/// </summary>
/// <remarks>
/// Whoever removes an entry from the table owns its outcome (the reply, a timeout, a cancellation or the disconnect), so
/// each entry is completed exactly once, and a reply that arrives after its request was given up finds nothing.
/// </remarks>
/// <typeparam name="TEntry">What waits for a reply (a <see cref="PendingReply{TResult}"/>, or an RPC call).</typeparam>
internal sealed class PendingRequests<TEntry> : IDisposable
    where TEntry : class, IPendingRequest
{
    private readonly ConcurrentDictionary<uint, TEntry> _pending = new();
    private readonly Func<TEntry, Exception> _timedOut;
    private readonly Action<uint, TEntry> _expire;
    private readonly DeadlineSweep _deadlines;
    private Func<TEntry, Exception>? _closed;
    private uint _nextId;

    /// <param name="timedOut">The exception of a request whose <see cref="IPendingRequest.Timeout"/> passed.</param>
    public PendingRequests(Func<TEntry, Exception> timedOut)
    {
        _timedOut = timedOut;
        _expire = Expire;
        _deadlines = new DeadlineSweep(Sweep);
    }

    /// <summary>The requests waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>
    /// Called with a request given up before its reply came (its deadline passed, or its caller timed out or cancelled),
    /// after it was forgotten: to tell the other side (cancel a call, give a name back). Not called by <see cref="FailAll"/>.
    /// </summary>
    public Action<uint, TEntry>? Abandoned { get; set; }

    /// <summary>
    /// Adds a request that may wait <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: for ever) and returns
    /// its id, which no other waiting request has. Send the request after this, and <see cref="Remove"/> it if it cannot be sent.
    /// </summary>
    /// <exception cref="Exception">The table was failed (<see cref="FailAll"/>): the exception that failed it, for this request.</exception>
    public uint Add(TEntry entry, TimeSpan timeout)
    {
        entry.Timeout = timeout;
        entry.Deadline = DeadlineSweep.Covers(timeout) ? DeadlineSweep.DeadlineAfter(timeout) : 0;
        if (Volatile.Read(ref _closed) is { } refused)
        {
            throw refused(entry);
        }

        uint id;
        do
        {
            // Ids wrap after 2^32 requests; skip one still waiting (a very long call).
            id = Interlocked.Increment(ref _nextId);
        }
        while (!_pending.TryAdd(id, entry));

        // Pairs with the exchange in FailAll: either its sweep of the table finds this entry, or this sees the table closed.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _closed) is { } closed && _pending.TryRemove(id, out _))
        {
            throw closed(entry);
        }

        if (entry.Deadline != 0)
        {
            _deadlines.Arm();
        }

        return id;
    }

    /// <summary>Takes the request a reply answers; <see langword="false"/> if it was given up or failed already (a late reply).</summary>
    public bool TryTake(uint id, [MaybeNullWhen(false)] out TEntry entry) => _pending.TryRemove(id, out entry);

    /// <summary>Finds a request that is still waiting, leaving it there (a stream call's items).</summary>
    public bool TryGet(uint id, [MaybeNullWhen(false)] out TEntry entry) => _pending.TryGetValue(id, out entry);

    /// <summary>Forgets a request (it could not be sent); a late reply is then ignored.</summary>
    public bool Remove(uint id) => _pending.TryRemove(id, out _);

    /// <summary>Forgets a request whose caller gave up, and reports it <see cref="Abandoned"/>; false if it was no longer waiting.</summary>
    public bool Abandon(uint id)
    {
        if (!_pending.TryRemove(id, out var entry))
        {
            return false;
        }

        Abandoned?.Invoke(id, entry);
        return true;
    }

    /// <summary>Forgets every waiting request that <paramref name="match"/> selects, handing each to <paramref name="removed"/>.</summary>
    public void RemoveWhere(Func<TEntry, bool> match, Action<TEntry> removed)
    {
        foreach (var (id, entry) in _pending)
        {
            if (match(entry) && _pending.TryRemove(id, out _))
            {
                removed(entry);
            }
        }
    }

    /// <summary>
    /// Fails every waiting request with <paramref name="failure"/> (the connection is gone), and every later
    /// <see cref="Add"/> with it too. The first failure stays.
    /// </summary>
    public void FailAll(Func<TEntry, Exception> failure)
    {
        Interlocked.CompareExchange(ref _closed, failure, null);
        var closed = Volatile.Read(ref _closed)!;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var entry))
            {
                entry.Fail(closed(entry));
            }
        }
    }

    /// <summary>
    /// Waits for <paramref name="reply"/>, the outcome of request <paramref name="id"/>: a request the sweep watches costs
    /// nothing more (the reply task itself is returned when nothing can cancel it); a shorter timeout gets a timer. A
    /// request whose time runs out or whose <paramref name="cancellationToken"/> fires is abandoned, unless its reply won the race.
    /// </summary>
    public Task<TResult> WaitAsync<TResult>(uint id, TEntry entry, Task<TResult> reply, CancellationToken cancellationToken)
    {
        var timed = entry.Deadline == 0 && entry.Timeout != Timeout.InfiniteTimeSpan;
        return reply.IsCompleted || (!timed && !cancellationToken.CanBeCanceled)
            ? reply
            : WaitSlowAsync(id, entry, reply, timed, cancellationToken);
    }

    /// <summary>Stops the sweeps for good.</summary>
    public void Dispose() => _deadlines.Dispose();

    private async Task<TResult> WaitSlowAsync<TResult>(uint id, TEntry entry, Task<TResult> reply, bool timed, CancellationToken cancellationToken)
    {
        try
        {
            return await (timed ? reply.WaitAsync(entry.Timeout, cancellationToken) : reply.WaitAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.IsCompleted)
        {
            if (Abandon(id))
            {
                throw _timedOut(entry);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !reply.IsCompleted)
        {
            Abandon(id);
            throw;
        }

        // The reply was being completed as the time ran out: it counts.
        return await reply.ConfigureAwait(false);
    }

    /// <summary>One sweep: fails the requests whose deadline has passed; returns whether any still has one.</summary>
    private bool Sweep(long now) => DeadlineSweep.ExpirePassed(_pending, now, static entry => entry.Deadline, _expire);

    private void Expire(uint id, TEntry entry)
    {
        entry.Fail(_timedOut(entry));
        Abandoned?.Invoke(id, entry);
    }
}

/// <summary>A request whose reply is one value: a task completion source that a <see cref="PendingRequests{TEntry}"/> can time out and fail.</summary>
/// <typeparam name="TResult">The reply.</typeparam>
internal class PendingReply<TResult>() : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), IPendingRequest
{
    public TimeSpan Timeout { get; set; }

    public long Deadline { get; set; }

    public void Fail(Exception exception) => TrySetException(exception);
}
