using System.Collections.Concurrent;
using System.Globalization;

namespace Firn.Soak;

/// <summary>What was sent and what came back: numbered messages, acknowledged store writes, calls and kills.</summary>
internal sealed class SoakLedger
{
    // One bit per number sent (numbers count up from 0), in chunks, so the soak's own bookkeeping stays small.
    private const int ChunkBits = 1 << 20;
    private readonly ConcurrentDictionary<long, long[]> _chunks = new();
    private long _distinct;
    private long _sent;
    private long _duplicates;
    private long _storeVerified;
    private long _storeMissing;
    private long _callsOk;
    private long _callsFailed;
    private long _kills;
    private long _pauses;
    private long _restarts;
    private long _published;
    private long _unannounced;

    /// <summary>Per child instance (pid): the latest cumulative report of the publications it received.</summary>
    private readonly ConcurrentDictionary<int, (long First, long Last, long Received)> _ticks = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Distinct => Interlocked.Read(ref _distinct);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public void Seen(long number)
    {
        var chunk = _chunks.GetOrAdd(number / ChunkBits, static _ => new long[ChunkBits / 64]);
        var bit = number % ChunkBits;
        var mask = 1L << (int)(bit % 64);
        if ((Interlocked.Or(ref chunk[bit / 64], mask) & mask) != 0)
        {
            Interlocked.Increment(ref _duplicates);
        }
        else
        {
            Interlocked.Increment(ref _distinct);
        }
    }

    public void StoreChecked(bool present) => Interlocked.Increment(ref present ? ref _storeVerified : ref _storeMissing);

    public void CallEnded(bool ok) => Interlocked.Increment(ref ok ? ref _callsOk : ref _callsFailed);

    public void CountKill() => Interlocked.Increment(ref _kills);

    public void CountPause() => Interlocked.Increment(ref _pauses);

    public void CountRestart() => Interlocked.Increment(ref _restarts);

    /// <summary>
    /// The most duplicates the documented guarantee allows: only what an instance that was killed or restarted held
    /// unacknowledged comes again, at most its receive window (<see cref="ChannelOptions.ReceiveBufferSize"/>) each.
    /// </summary>
    public long DuplicateBound => (Interlocked.Read(ref _kills) + Interlocked.Read(ref _restarts)) * new ChannelOptions().ReceiveBufferSize;

    /// <summary>The number of the next publication.</summary>
    public long NextPublication() => Interlocked.Increment(ref _published) - 1;

    /// <summary>A worker instance's report "pid:first:last:received" (cumulative, so the latest replaces the one before).</summary>
    public void TicksReported(string report)
    {
        var parts = report.Split(':');
        var counts = (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
        _ticks.AddOrUpdate(int.Parse(parts[0], CultureInfo.InvariantCulture), counts, (_, before) => counts.Item3 >= before.Received ? counts : before);
    }

    /// <summary>Store writes that were applied but whose notice never arrived: the writer died between the acknowledgement and its notice.</summary>
    public void CountUnannounced(long count) => Interlocked.Add(ref _unannounced, count);

    /// <summary>Publications the subscribers received, and those missing between the first and last each instance reported.</summary>
    private (long Received, long Missed) Ticks()
    {
        long received = 0, missed = 0;
        foreach (var (first, last, count) in _ticks.Values)
        {
            received += count;
            missed += last - first + 1 - count;
        }

        return (received, missed);
    }

    public string Line()
    {
        var (received, missed) = Ticks();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"sent {Sent}, arrived {Distinct} (+{Interlocked.Read(ref _duplicates)} duplicates), store writes verified {Interlocked.Read(ref _storeVerified)} (missing {Interlocked.Read(ref _storeMissing)}), publications {Interlocked.Read(ref _published)} (received {received} by {_ticks.Count} subscriber instances, missed {missed}), calls ok {Interlocked.Read(ref _callsOk)} failed {Interlocked.Read(ref _callsFailed)}, kills {Interlocked.Read(ref _kills)}, pauses {Interlocked.Read(ref _pauses)}, restarts {Interlocked.Read(ref _restarts)}");
    }

    /// <summary>Writes the final report; returns whether anything was lost.</summary>
    public bool Report(TextWriter output)
    {
        var lost = Sent - Distinct;
        var missing = Interlocked.Read(ref _storeMissing);
        var (_, missed) = Ticks();
        var duplicates = Interlocked.Read(ref _duplicates);
        output.WriteLine("Final: " + Line());
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Lost messages: {lost}. Missing acknowledged store writes: {missing}. Publications a subscriber missed while subscribed: {missed}. Store writes applied but never announced (their writer was killed between the acknowledgement and its notice; not lost, not verifiable): {Interlocked.Read(ref _unannounced)}. Duplicates: {duplicates} (bound {DuplicateBound})."));
        return lost != 0 || missing != 0 || missed != 0 || duplicates > DuplicateBound;
    }
}
