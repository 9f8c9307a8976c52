using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Firn.Meters;

/// <content>The shared store (operations, keys, bytes) and pub/sub (publications a congested subscriber missed).</content>
internal sealed partial class FirnMetrics
{
    private readonly Histogram<double> _storeOperation;
    private readonly Counter<long> _publicationsDropped;

    /// <summary>A timestamp for <see cref="StoreOperated"/>, or 0 when nobody listens.</summary>
    public long StartStoreOperation() => _storeOperation.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>The store ran <paramref name="operation"/> (a constant name); <paramref name="errorType"/> is <see langword="null"/> unless it refused it.</summary>
    public void StoreOperated(long start, string operation, string? errorType)
    {
        if (start == 0)
        {
            return;
        }

        var tags = new TagList { { "db.system.name", SystemName }, { "db.operation.name", operation } };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _storeOperation.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tags);
    }

    /// <summary>A publication did not reach <paramref name="subscriber"/>, whose connection was congested.</summary>
    public void PublicationDropped(string subscriber)
    {
        if (_publicationsDropped.Enabled)
        {
            _publicationsDropped.Add(1, new TagList { { "firn.process.name", subscriber } });
        }
    }

    /// <summary>Reports the store's key count and size when collected.</summary>
    public void ObserveStore(Func<long> keys, Func<long> bytes)
    {
        if (!IsEnabled)
        {
            return;
        }

        Meter.CreateObservableUpDownCounter("firn.store.keys", keys, "{key}", "Keys in the shared store.");
        Meter.CreateObservableUpDownCounter("firn.store.size", bytes, "By", "Bytes the shared store holds (keys and serialized values), as counted against FirnAppOptions.StoreMaxBytes.");
    }
}
