namespace Firn.Routing;

/// <content>What the router holds on to, for diagnostics and tests.</content>
internal sealed partial class Router
{
    /// <summary>
    /// Peers the router keeps because messages they sent are still waiting for a receiver or for an acknowledgement;
    /// a peer that disconnected stays reachable through them until they are consumed.
    /// </summary>
    public IReadOnlySet<RouterPeer> SendersOfHeldMessages()
    {
        var senders = new HashSet<RouterPeer>();
        foreach (var channel in _byId.Values)
        {
            lock (channel.Gate)
            {
                foreach (var sender in channel.Senders)
                {
                    senders.UnionWith(sender.Pending.Select(m => m.Sender));
                }

                foreach (var receiver in channel.Receivers)
                {
                    senders.UnionWith(receiver.Unacknowledged.Select(m => m.Sender));
                }
            }
        }

        return senders;
    }
}
