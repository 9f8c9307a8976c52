using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Firn.Tests.Meters;

/// <summary>A <see cref="MeterListener"/> that records every measurement of one meter's instruments (one app's), and nothing of any other.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The instruments seen, by name.</summary>
    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    /// <summary>Every measurement of <paramref name="instrument"/> whose tags include <paramref name="tags"/>.</summary>
    public IReadOnlyList<Recorded> Of(string instrument, params (string Key, object? Value)[] tags) =>
        [.. _recorded.Where(r => r.Instrument == instrument && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))];

    public double Sum(string instrument, params (string Key, object? Value)[] tags) => Of(instrument, tags).Sum(r => r.Value);

    /// <summary>Collects the observable instruments now and returns what <paramref name="instrument"/> reported.</summary>
    public IReadOnlyList<Recorded> Observe(string instrument, params (string Key, object? Value)[] tags)
    {
        var before = _recorded.Count;
        _listener.RecordObservableInstruments();
        return [.. _recorded.Skip(before).Where(r => r.Instrument == instrument && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))];
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _recorded.Enqueue(new Recorded(instrument.Name, instrument.Unit, value, copy));
    }

    public sealed record Recorded(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);
}
