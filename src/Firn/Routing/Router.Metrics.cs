using Firn.Meters;

namespace Firn.Routing;

/// <content>What the channel gauges read, only when a listener collects them.</content>
internal sealed partial class Router
{
    /// <summary>Each channel's waiting and delivered-but-unconsumed messages; takes each channel's lock in turn, briefly.</summary>
    public IReadOnlyList<ChannelSample> Sample()
    {
        var samples = new List<ChannelSample>(_byId.Count);
        foreach (var channel in _byId.Values)
        {
            lock (channel.Gate)
            {
                var unacknowledged = 0;
                foreach (var receiver in channel.Receivers)
                {
                    unacknowledged += receiver.Unacknowledged.Count;
                }

                samples.Add(new ChannelSample(channel.Name, channel.PendingCount, unacknowledged));
            }
        }

        return samples;
    }
}
