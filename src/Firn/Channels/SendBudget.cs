using Firn.Transport;

namespace Firn.Channels;

/// <summary>
/// The bytes of this process's channel messages that wait in the main process's router (sent, not yet handed to a
/// receiver). A send that would take them past the limit waits until the router reports bytes delivered; one message
/// always fits when nothing waits, so a message up to the size limit can always be sent. The router keeps the same
/// count for each child and disconnects one that goes past it, so the main process never holds more than the limit
/// (plus one message) of any child's messages.
/// </summary>
/// <remarks>
/// Each message counts as its whole frame (<see cref="Cost"/>), not its payload alone: a child's sent messages wait
/// first in its own outbound buffer, whose hard limit counts frame bytes, and the budget is what keeps them below it.
/// </remarks>
internal sealed class SendBudget(long limit)
{
    private readonly ChangeSignal _signal = new();
    private long _limit = limit;
    private long _outstanding;

    /// <summary>The limit; a child takes the main process's value from the handshake, before it sends anything.</summary>
    public long Limit
    {
        get => Volatile.Read(ref _limit);
        set => Volatile.Write(ref _limit, value);
    }

    /// <summary>Bytes sent and not yet reported delivered.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>What a message of <paramref name="payloadLength"/> bytes counts: its frame (header and channel id included).</summary>
    public static int Cost(int payloadLength) => FrameFormat.HeaderSize + sizeof(uint) + payloadLength;

    /// <summary>Whether a message of <paramref name="size"/> payload bytes fits now (the router's rule: nothing waits, or the total stays within the limit).</summary>
    public static bool Fits(long outstanding, int size, long limit) => outstanding == 0 || outstanding + Cost(size) <= limit;

    /// <summary>Takes room for a message of <paramref name="size"/> payload bytes if it fits now.</summary>
    public bool TryTake(int size)
    {
        var current = Interlocked.Read(ref _outstanding);
        while (Fits(current, size, Limit))
        {
            var seen = Interlocked.CompareExchange(ref _outstanding, current + Cost(size), current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Take(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _signal.Arm();
            try
            {
                if (TryTake(size))
                {
                    return;
                }

                _signal.Wait(version, cancellationToken);
            }
            finally
            {
                _signal.Disarm();
            }
        }
    }

    public async ValueTask TakeAsync(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _signal.Arm();
            try
            {
                if (TryTake(size))
                {
                    return;
                }

                await _signal.WaitAsync(version, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _signal.Disarm();
            }
        }
    }

    /// <summary>The router delivered (or dropped at close) messages that cost this many bytes (<see cref="Cost"/>).</summary>
    public void Release(long bytes)
    {
        Interlocked.Add(ref _outstanding, -bytes);
        _signal.Release();
    }
}
