namespace Firn.Channels;

/// <summary>
/// How many more messages this process may send on one channel before the router grants more (its send window):
/// taking one is a compare-and-swap; a sender that finds none waits without spinning (see <see cref="ChangeSignal"/>).
/// </summary>
internal sealed class SendCredits(int initial)
{
    private readonly ChangeSignal _signal = new();
    private int _available = initial;

    /// <summary>Credits left now.</summary>
    public int Available => Volatile.Read(ref _available);

    public bool TryTake()
    {
        var current = Volatile.Read(ref _available);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _available, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Take(CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _signal.Arm();
            try
            {
                if (TryTake())
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

    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var version = _signal.Arm();
            try
            {
                if (TryTake())
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

    /// <summary>Adds <paramref name="count"/> credits (granted by the router, or one given back unused).</summary>
    public void Add(int count)
    {
        Interlocked.Add(ref _available, count);
        _signal.Release();
    }
}
