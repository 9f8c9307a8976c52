using System.Diagnostics;

namespace Firn.Transport;

/// <summary>
/// Whether a connection's read thread polls its socket before the next blocking read, and for how long (the poll
/// window). On a virtual machine a thread asleep in a read is woken by the other processor at a cost larger than a
/// whole round trip's work: two such wakes per round trip are what the Python original pays (B2, docs/performance.md).
/// A thread that polls for a moment after each read is awake when the answer comes, so the writer wakes no one.
/// </summary>
/// <remarks>
/// Polling pays only while bytes come within the window. After a poll that caught nothing the thread blocks in its
/// next reads, and takes up polling again only when a blocking read returns within the window of its start: a
/// connection whose messages come further apart (even just past the window) costs at most one window of polling per
/// change of pace, and an idle one at most one window after its last message.
/// </remarks>
internal struct ReadPoll
{
    /// <summary>Make one with <see cref="ReadPoll(TimeSpan)"/>.</summary>
    /// <param name="window">How long to poll; zero never polls.</param>
    public ReadPoll(TimeSpan window)
    {
        WindowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        ShouldPoll = WindowTicks > 0;
    }

    /// <summary>The poll window in <see cref="Stopwatch"/> ticks.</summary>
    public long WindowTicks { get; }

    /// <summary>Whether the next read polls first.</summary>
    public bool ShouldPoll { get; private set; }

    /// <summary>A poll caught bytes: keep polling.</summary>
    public void Caught() => ShouldPoll = WindowTicks > 0;

    /// <summary>A blocking read returned, <paramref name="waitedTicks"/> after the read (with its poll, if any) began.</summary>
    public void Blocked(long waitedTicks) => ShouldPoll = WindowTicks > 0 && waitedTicks <= WindowTicks;
}
