using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Firn.Meters;

/// <content>Channels: messages sent, consumed and redelivered (the router's view), handler time and waits for credit (each process's own).</content>
internal sealed partial class FirnMetrics
{
    private readonly Counter<long> _sent;
    private readonly Counter<long> _consumed;
    private readonly Histogram<double> _processDuration;
    private readonly Counter<long> _redelivered;
    private readonly Histogram<double> _creditWait;

    /// <summary><paramref name="count"/> messages from <paramref name="process"/> arrived at the router on <paramref name="channel"/>.</summary>
    public void Sent(string channel, string process, int count)
    {
        if (_sent.Enabled && count > 0)
        {
            _sent.Add(count, new TagList { { "messaging.system", SystemName }, { "messaging.operation.name", "send" }, { "messaging.destination.name", channel }, { "firn.process.name", process } });
        }
    }

    /// <summary><paramref name="process"/> acknowledged <paramref name="count"/> messages of <paramref name="channel"/>.</summary>
    public void Consumed(string channel, string process, int count)
    {
        if (_consumed.Enabled)
        {
            _consumed.Add(count, new TagList { { "messaging.system", SystemName }, { "messaging.operation.name", "receive" }, { "messaging.destination.name", channel }, { "firn.process.name", process } });
        }
    }

    /// <summary><paramref name="count"/> messages of <paramref name="channel"/> go back to wait for another receiver.</summary>
    public void Redelivered(string channel, int count)
    {
        if (_redelivered.Enabled)
        {
            _redelivered.Add(count, new TagList { { "messaging.system", SystemName }, { "messaging.destination.name", channel } });
        }
    }

    /// <summary>A timestamp for <see cref="Processed"/>, or 0 when nobody listens (then nothing is measured).</summary>
    public long StartProcessing() => _processDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>The passive handlers of <paramref name="channel"/> are done with one message, begun at <paramref name="start"/>.</summary>
    public void Processed(long start, string channel)
    {
        if (start != 0)
        {
            _processDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new TagList { { "messaging.system", SystemName }, { "messaging.operation.name", "process" }, { "messaging.destination.name", channel }, { "firn.process.name", ProcessName } });
        }
    }

    /// <summary>A timestamp for <see cref="WaitedForCredit"/>, or 0 when nobody listens.</summary>
    public long StartCreditWait() => _creditWait.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>A send on <paramref name="channel"/> that found no credit got it, after waiting since <paramref name="start"/>.</summary>
    public void WaitedForCredit(long start, string channel)
    {
        if (start != 0)
        {
            _creditWait.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new TagList { { "messaging.system", SystemName }, { "messaging.destination.name", channel }, { "firn.process.name", ProcessName } });
        }
    }

    /// <summary>Reports each channel's waiting and delivered-but-unconsumed messages from <paramref name="snapshot"/> when collected.</summary>
    public void ObserveChannels(Func<IReadOnlyList<ChannelSample>> snapshot)
    {
        if (!IsEnabled)
        {
            return;
        }

        Meter.CreateObservableGauge("firn.channel.queued", () => Measure(snapshot(), static c => c.Queued), "{message}", "Messages waiting in the router for a receiver, per channel.");
        Meter.CreateObservableGauge("firn.channel.unacknowledged", () => Measure(snapshot(), static c => c.Unacknowledged), "{message}", "Messages delivered to receivers and not yet consumed, per channel.");

        static IEnumerable<Measurement<long>> Measure(IReadOnlyList<ChannelSample> channels, Func<ChannelSample, long> value)
        {
            var measurements = new Measurement<long>[channels.Count];
            for (var i = 0; i < channels.Count; i++)
            {
                measurements[i] = new Measurement<long>(value(channels[i]), new KeyValuePair<string, object?>("messaging.destination.name", channels[i].Name));
            }

            return measurements;
        }
    }
}

/// <summary>One channel's state in the router, as the channel gauges report it.</summary>
/// <param name="Name">The channel's name.</param>
/// <param name="Queued">Messages waiting for a receiver.</param>
/// <param name="Unacknowledged">Messages delivered and not yet consumed.</param>
internal readonly record struct ChannelSample(string Name, long Queued, long Unacknowledged);
