using Firn.Channels;

namespace Firn.Routing;

/// <content>The channel registry as a list: what <c>FirnApp.GetChannels</c> returns in every process.</content>
internal sealed partial class Router
{
    /// <summary>A snapshot of every channel, ordered by name; each channel is read under its own lock, so the list is consistent per channel.</summary>
    public IReadOnlyList<ChannelInfo> List()
    {
        var channels = _byId.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var list = new ChannelInfo[channels.Length];
        for (var i = 0; i < channels.Length; i++)
        {
            list[i] = Describe(channels[i]);
        }

        return list;
    }

    private static ChannelInfo Describe(RoutedChannel channel)
    {
        lock (channel.Gate)
        {
            var unconsumed = 0;
            foreach (var receiver in channel.Receivers)
            {
                unconsumed += receiver.Unacknowledged.Count;
            }

            var members = channel.Members
                .Select(peer => new ChannelMemberInfo(peer.ProcessName, channel.FindReceiver(peer)?.Mode ?? ReceiveMode.None))
                .OrderBy(m => m.ProcessName, StringComparer.Ordinal)
                .ToArray();
            return new ChannelInfo(channel.Name, channel.TypeName, members, channel.PendingCount, unconsumed, channel.IsClosed);
        }
    }
}
