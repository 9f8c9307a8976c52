namespace Firn.Routing;

/// <summary>
/// A process as the router sees it: the main process itself, or one connected child instance.
/// The router calls these methods under a channel's lock, so they must only enqueue, never block nor write to a socket.
/// A child's peer appends frames to its connection's buffer; the write that an append to an idle connection would make
/// at once is held back until the router has released the lock (the router holds a <see cref="Transport.DeferredWrites"/>
/// scope around it). <see cref="Violate"/> is the one exception: for a child that broke the rules, it closes the
/// connection at once (a log line, and a shutdown and a close of the socket, which do not wait for the peer).
/// </summary>
internal abstract class RouterPeer
{
    private static int s_nextId;
    private long _pendingBytes;
    private long _deliveredBytes;
    private bool _deliveryHeld;

    protected RouterPeer(string processName)
    {
        ProcessName = processName;
        Id = Interlocked.Increment(ref s_nextId);
    }

    /// <summary>Unique per connection (a restarted child is a new peer).</summary>
    public int Id { get; }

    /// <summary>The process's name; a message is never delivered to a peer with its sender's name.</summary>
    public string ProcessName { get; }

    /// <summary>Whether this is the main process itself, which no per-process limit applies to.</summary>
    public virtual bool IsMainProcess => false;

    /// <summary>
    /// Whether this peer's outbound buffer, with <paramref name="heldBytes"/> more that the router holds for it in a delivery
    /// run, is over its limit (it is not reading); the router then delivers nothing more to it until it drains.
    /// </summary>
    public virtual bool IsCongestedWith(long heldBytes) => false;

    /// <summary>Bytes of this peer's messages waiting in the router for receivers.</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    public void AddPendingBytes(long bytes) => Interlocked.Add(ref _pendingBytes, bytes);

    /// <summary>Bytes of messages delivered to this peer and not yet acknowledged, across its channels (kept for redelivery).</summary>
    public long DeliveredBytes => Interlocked.Read(ref _deliveredBytes);

    /// <summary>Set when a delivery to this peer waited for its byte limit; its next acknowledgement below the limit resumes every channel.</summary>
    public bool DeliveryHeld
    {
        get => Volatile.Read(ref _deliveryHeld);
        set => Volatile.Write(ref _deliveryHeld, value);
    }

    public void AddDeliveredBytes(long bytes) => Interlocked.Add(ref _deliveredBytes, bytes);

    /// <summary>Tells this sender that <paramref name="bytes"/> of its messages left the router (its <see cref="Channels.SendBudget"/>).</summary>
    public abstract void ReleaseBytes(int bytes);

    /// <summary>One of this sender's messages left the router: one more credit on the channel, and its bytes released.</summary>
    public virtual void GrantCreditAndBytes(uint channelId, int bytes)
    {
        GrantCredit(channelId, 1);
        ReleaseBytes(bytes);
    }

    /// <summary>Several of this sender's messages on one channel left the router: that many credits, and their bytes released.</summary>
    public virtual void GrantCreditsAndBytes(uint channelId, int count, long bytes)
    {
        GrantCredit(channelId, count);
        ReleaseBytes((int)bytes);
    }

    /// <summary>Hands a message to this receiver.</summary>
    public abstract void Deliver(uint channelId, ReadOnlyMemory<byte> payload);

    /// <summary>Hands messages of one channel to this receiver, in order.</summary>
    public virtual void Deliver(uint channelId, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        foreach (var payload in payloads)
        {
            Deliver(channelId, payload);
        }
    }

    /// <summary>Lets this sender send <paramref name="count"/> more messages on the channel.</summary>
    public abstract void GrantCredit(uint channelId, int count);

    /// <summary>Tells this process the channel is closed.</summary>
    public abstract void NotifyClosed(uint channelId);

    /// <summary>Drops the connection of a peer that broke the rules (never called for the main process).</summary>
    public abstract void Violate(string reason);

    /// <inheritdoc />
    public override string ToString() => $"{ProcessName}#{Id}";
}
