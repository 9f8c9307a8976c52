using Firn.Channels;

namespace Firn.Routing;

/// <summary>
/// The router's state for one channel: messages waiting per sender, receivers with their free slots and
/// delivered-but-unacknowledged messages. Every member is used under <see cref="Gate"/>.
/// </summary>
internal sealed class RoutedChannel
{
    public RoutedChannel(uint id, string name, string typeName)
    {
        Id = id;
        Name = name;
        TypeName = typeName;
    }

    public uint Id { get; }

    public string Name { get; }

    public string TypeName { get; }

    public Lock Gate { get; } = new();

    public bool IsClosed { get; set; }

    /// <summary>The engine's side when the channel is shared with other main processes (set once, at creation); <see langword="null"/> in memory.</summary>
    public SharedChannel? Shared { get; set; }

    /// <summary>Peers that opened the channel (told when it closes).</summary>
    public HashSet<RouterPeer> Members { get; } = [];

    /// <summary>Senders in arrival order; round-robin over them keeps one busy sender from starving others.</summary>
    public List<SenderState> Senders { get; } = [];

    public List<ReceiverState> Receivers { get; } = [];

    public int NextSender { get; set; }

    public int NextReceiver { get; set; }

    /// <summary>Messages accepted from senders and not yet delivered to any receiver.</summary>
    public int PendingCount { get; set; }

    /// <summary>Messages sent on the channel since it was created (under <see cref="Gate"/>).</summary>
    public long Sent { get; set; }

    /// <summary>Messages acknowledged on the channel since it was created (under <see cref="Gate"/>).</summary>
    public long Consumed { get; set; }

    public SenderState? FindSender(RouterPeer peer)
    {
        foreach (var sender in Senders)
        {
            if (ReferenceEquals(sender.Peer, peer))
            {
                return sender;
            }
        }

        return null;
    }

    public ReceiverState? FindReceiver(RouterPeer peer)
    {
        foreach (var receiver in Receivers)
        {
            if (ReferenceEquals(receiver.Peer, peer))
            {
                return receiver;
            }
        }

        return null;
    }
}

/// <summary>One message in the router, remembered with the peer that sent it; <c>Redelivered</c> once it went back to the queue after a receiver was lost.</summary>
internal readonly record struct RoutedMessage(RouterPeer Sender, ReadOnlyMemory<byte> Payload, bool Redelivered = false);

/// <summary>A sender's messages waiting for a receiver, and how many credits it is owed.</summary>
internal sealed class SenderState(RouterPeer peer)
{
    public RouterPeer Peer { get; } = peer;

    public Queue<RoutedMessage> Pending { get; set; } = new();

    /// <summary>Messages the sender sent whose credit has not been granted back (at most the send window).</summary>
    public int Outstanding { get; set; }

    /// <summary>Whether the peer disconnected; its pending messages are still delivered.</summary>
    public bool Gone { get; set; }

    /// <summary>Messages this peer sent on the channel.</summary>
    public long Sent { get; set; }
}

/// <summary>A receiver's free buffer slots and the messages it holds but has not acknowledged.</summary>
internal sealed class ReceiverState(RouterPeer peer, int window, ReceiveMode mode)
{
    public RouterPeer Peer { get; } = peer;

    public int Window { get; } = window;

    /// <summary>How the process receives (passive handlers or active pulls); only reported, never acted on.</summary>
    public ReceiveMode Mode { get; } = mode;

    public int Credit { get; set; } = window;

    public Queue<RoutedMessage> Unacknowledged { get; } = new();

    /// <summary>Messages this peer acknowledged on the channel.</summary>
    public long Consumed { get; set; }

    /// <summary>Bytes of the current delivery run held for this receiver and not yet handed to its peer (counted in its congestion check).</summary>
    public long HeldBytes { get; set; }
}
