namespace Firn.Channels;

/// <summary>A caller's token joined with a timeout, telling afterwards which of the two fired.</summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _source;

    private Deadline(CancellationTokenSource source) => _source = source;

    public CancellationToken Token => _source.Token;

    public static void Validate(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    public static Deadline Start(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            source.CancelAfter(timeout);
        }

        return new Deadline(source);
    }

    /// <summary>Whether the wait ended because time ran out rather than because the caller cancelled.</summary>
    public bool HasExpired(CancellationToken cancellationToken) => _source.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

    public void Dispose() => _source.Dispose();
}
