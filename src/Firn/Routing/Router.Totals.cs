namespace Firn.Routing;

/// <content>Totals since start for operators (the admin endpoint's <c>channels</c> and <c>top</c>): counted under each channel's lock as it sends and acknowledges.</content>
internal sealed partial class Router
{
    /// <summary>Messages sent and consumed, by channel name.</summary>
    public Dictionary<string, (long Sent, long Consumed)> ChannelTotals()
    {
        var totals = new Dictionary<string, (long Sent, long Consumed)>(StringComparer.Ordinal);
        foreach (var channel in _byId.Values)
        {
            lock (channel.Gate)
            {
                totals[channel.Name] = (channel.Sent, channel.Consumed);
            }
        }

        return totals;
    }

    /// <summary>By process name: messages it sent and consumed (its current and earlier connections still known to a channel), and its messages waiting in the router.</summary>
    public Dictionary<string, ProcessTotals> ProcessTotals()
    {
        var totals = new Dictionary<string, ProcessTotals>(StringComparer.Ordinal);
        foreach (var channel in _byId.Values)
        {
            lock (channel.Gate)
            {
                foreach (var sender in channel.Senders)
                {
                    var current = totals.GetValueOrDefault(sender.Peer.ProcessName);
                    totals[sender.Peer.ProcessName] = current with { Sent = current.Sent + sender.Sent, Queued = current.Queued + sender.Pending.Count };
                }

                foreach (var receiver in channel.Receivers)
                {
                    var current = totals.GetValueOrDefault(receiver.Peer.ProcessName);
                    totals[receiver.Peer.ProcessName] = current with { Consumed = current.Consumed + receiver.Consumed };
                }
            }
        }

        return totals;
    }
}

/// <summary>One process's message totals.</summary>
internal readonly record struct ProcessTotals(long Sent, long Consumed, long Queued);
