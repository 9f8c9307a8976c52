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

    public string Line() => string.Create(
        CultureInfo.InvariantCulture,
        $"sent {Sent}, arrived {Distinct} (+{Interlocked.Read(ref _duplicates)} duplicates), store writes verified {Interlocked.Read(ref _storeVerified)} (missing {Interlocked.Read(ref _storeMissing)}), calls ok {Interlocked.Read(ref _callsOk)} failed {Interlocked.Read(ref _callsFailed)}, kills {Interlocked.Read(ref _kills)}");

    /// <summary>Writes the final report; returns whether anything was lost.</summary>
    public bool Report(TextWriter output)
    {
        var lost = Sent - Distinct;
        var missing = Interlocked.Read(ref _storeMissing);
        output.WriteLine("Final: " + Line());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Lost messages: {lost}. Missing acknowledged store writes: {missing}."));
        return lost != 0 || missing != 0;
    }
}
