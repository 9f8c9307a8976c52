using Firn.Channels;
using Firn.Serialization;
using Firn.Storage;
using Microsoft.Extensions.Logging;
using Bcl = System.Threading.Channels;

namespace Firn;

/// <summary>What a subscription does when its buffer is full because its handler is slower than the publishers.</summary>
public enum SubscriptionOverflow
{
    /// <summary>Drop the oldest buffered publication to make room (the default: a slow subscriber sees the latest data).</summary>
    DropOldest,

    /// <summary>Drop the publication that does not fit.</summary>
    DropNewest,
}

/// <summary>Per-subscription settings.</summary>
public sealed class SubscribeOptions
{
    private int _bufferSize = 10_000;

    /// <summary>The default options.</summary>
    public static SubscribeOptions Default { get; } = new();

    /// <summary>Publications buffered for a slow handler before <see cref="Overflow"/> applies. Default 10,000.</summary>
    public int BufferSize
    {
        get => _bufferSize;
        init => _bufferSize = value is > 0 and <= 10_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The subscription buffer holds 1 to 10,000,000 publications.");
    }

    /// <summary>What happens when the buffer is full. Default: <see cref="SubscriptionOverflow.DropOldest"/>.</summary>
    public SubscriptionOverflow Overflow { get; init; } = SubscriptionOverflow.DropOldest;
}

/// <summary>
/// One subscription: a handle the app disposes to unsubscribe, with its own bounded buffer and handler loop,
/// so a slow handler delays only itself and never the publisher, the connection, or other subscriptions.
/// </summary>
public abstract class Subscription : IDisposable
{
    private long _dropped;
    private long _handled;

    private protected Subscription(string topic) => Topic = topic;

    /// <summary>The topic or pattern subscribed to.</summary>
    public string Topic { get; }

    /// <summary>Whether <see cref="Topic"/> is a pattern (contains <c>*</c> or <c>?</c>).</summary>
    public bool IsPattern => TopicPattern.IsPattern(Topic);

    /// <summary>Publications dropped because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Publications handed to the handler so far.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    internal abstract void Enqueue(Publication publication);

    private protected void CountDropped() => Interlocked.Increment(ref _dropped);

    private protected void CountHandled() => Interlocked.Increment(ref _handled);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Unsubscribes.</summary>
    /// <param name="disposing">Always true: called from <see cref="Dispose()"/>.</param>
    protected abstract void Dispose(bool disposing);
}
