using Firn.Failures;

namespace Firn.Channels;

/// <summary>A caller's token joined with a timeout, telling afterwards which of the two fired.</summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _source;

    private Deadline(CancellationTokenSource source) => _source = source;

    public CancellationToken Token => _source.Token;

    /// <summary>A receive's timeout: zero up to <see cref="TimeoutRange.Max"/>, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static void Validate(TimeSpan timeout) => TimeoutRange.ValidateWait(timeout, "A receive's timeout");

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
