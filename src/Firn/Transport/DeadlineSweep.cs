using System.Collections.Concurrent;

namespace Firn.Transport;

/// <summary>
/// Expires the timeouts of requests waiting for replies with one sweep every <see cref="Period"/>, run only while some
/// deadline is watched. A timer per request costs allocations and two operations on a locked timer queue, which a
/// stream of small requests (64 store reads or calls in flight) feels; a sweep of the pending requests costs nothing per
/// request. It fires at most one <see cref="Period"/> late, so only timeouts of at least <see cref="MinimumTimeout"/>
/// (at most 5% late) use it; shorter ones keep a timer each.
/// </summary>
internal sealed class DeadlineSweep : IDisposable
{
    /// <summary>How often a sweep runs while deadlines are watched.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    /// <summary>The shortest timeout a sweep expires; shorter ones need a timer's precision.</summary>
    public static readonly TimeSpan MinimumTimeout = TimeSpan.FromSeconds(1);

    private readonly Func<long, bool> _sweep;
    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private volatile bool _armed;

    /// <param name="sweep">
    /// Given the current <see cref="Environment.TickCount64"/>, expires every watched request whose deadline has passed
    /// and returns whether any deadline is still watched. It may run on several threads at once.
    /// </param>
    public DeadlineSweep(Func<long, bool> sweep)
    {
        _sweep = sweep;
        _timer = new Timer(static state => ((DeadlineSweep)state!).Tick(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Whether a request waiting <paramref name="timeout"/> is watched by a sweep (otherwise it needs a timer of its own).</summary>
    public static bool Covers(TimeSpan timeout) => timeout != Timeout.InfiniteTimeSpan && timeout >= MinimumTimeout;

    /// <summary>The deadline, in <see cref="Environment.TickCount64"/> milliseconds, of a wait of <paramref name="timeout"/> from now.</summary>
    public static long DeadlineAfter(TimeSpan timeout) => Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    /// <summary>
    /// Waits for <paramref name="reply"/>: for a timeout a sweep does not cover, with a timer of its own; otherwise only for
    /// <paramref name="cancellationToken"/>, since the owner's sweep fails the reply when its deadline passes.
    /// </summary>
    public static Task<T> WaitAsync<T>(Task<T> reply, TimeSpan timeout, CancellationToken cancellationToken) =>
        !Covers(timeout) ? reply.WaitAsync(timeout, cancellationToken)
        : cancellationToken.CanBeCanceled ? reply.WaitAsync(cancellationToken)
        : reply;

    /// <summary>
    /// One sweep of <paramref name="pending"/>: every entry whose deadline (<paramref name="deadlineOf"/>; 0 when not
    /// watched) has passed by <paramref name="now"/> is removed and handed to <paramref name="expire"/>.
    /// </summary>
    /// <returns>Whether an entry with a deadline still waits.</returns>
    public static bool ExpirePassed<TValue>(ConcurrentDictionary<uint, TValue> pending, long now, Func<TValue, long> deadlineOf, Action<uint, TValue> expire)
    {
        var watching = false;
        foreach (var (id, entry) in pending)
        {
            var deadline = deadlineOf(entry);
            if (deadline == 0)
            {
                continue;
            }

            if (now < deadline)
            {
                watching = true;
            }
            else if (pending.TryRemove(id, out _))
            {
                expire(id, entry);
            }
        }

        return watching;
    }

    /// <summary>Makes sure sweeps run; call it after a request with a deadline became visible to the sweep.</summary>
    public void Arm()
    {
        // Pairs with the fence in Tick: either this sees the sweeps stopping, or that sweep sees the new request.
        Interlocked.MemoryBarrier();
        if (_armed)
        {
            return;
        }

        lock (_gate)
        {
            if (!_armed)
            {
                _armed = true;
                _timer.Change(Period, Period);
            }
        }
    }

    /// <summary>Stops the sweeps for good.</summary>
    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        if (_sweep(Environment.TickCount64))
        {
            return;
        }

        lock (_gate)
        {
            _armed = false;
            Interlocked.MemoryBarrier();
            if (_sweep(Environment.TickCount64))
            {
                // A request arrived between the two sweeps, and its Arm saw the sweeps still running.
                _armed = true;
            }
            else
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }
}
