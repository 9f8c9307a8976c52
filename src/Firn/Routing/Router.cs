using System.Collections.Concurrent;
using Firn.Channels;
using Firn.Failures;
using Firn.Meters;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Routing;

/// <summary>
/// The main process's switchboard for channels. It assigns channel ids, fixes each channel's message
/// type, and moves every message from its sender to exactly one receiver of another process, within two
/// windows: a sender may have at most <see cref="SendWindow"/> messages waiting here per channel (the
/// router grants credit back as it delivers), and a receiver holds at most its own window of delivered,
/// unacknowledged messages. Memory per channel is therefore bounded whatever the peers do.
/// </summary>
/// <remarks>
/// Each channel has its own lock. Peers' methods only enqueue under it: the socket writes their appends would start wait
/// for its release (a <see cref="DeferredWrites"/> scope is open around each lock that calls peers), so no channel lock
/// is held across I/O.
/// Every request from a child is checked as if the child were hostile: a rule broken is a dropped connection.
/// </remarks>
internal sealed partial class Router
{
    private readonly ConcurrentDictionary<string, RoutedChannel> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, RoutedChannel> _byId = new();
    private readonly Lock _createLock = new();
    private readonly Dictionary<string, int> _createdBy = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly FirnMetrics _metrics;
    private uint _nextId;

    public Router(int sendWindow, int maxReceiveWindow, ILogger logger, int maxChannelsPerProcess = int.MaxValue, long maxPendingBytesPerProcess = long.MaxValue, FirnMetrics? metrics = null)
    {
        _metrics = metrics ?? FirnMetrics.Disabled;
        MaxChannelsPerProcess = maxChannelsPerProcess;
        MaxPendingBytesPerProcess = maxPendingBytesPerProcess;
        SendWindow = sendWindow;
        MaxReceiveWindow = maxReceiveWindow;
        _logger = logger;
    }

    public int SendWindow { get; }

    /// <summary>
    /// How many bytes of one process's messages may wait here for receivers, across its channels (see <see cref="SendBudget"/>,
    /// which keeps senders within it); one message always fits when none waits. It also bounds the bytes delivered to one
    /// process and not yet acknowledged (kept here for redelivery): past it, that process gets no more until it acknowledges.
    /// </summary>
    public long MaxPendingBytesPerProcess { get; }

    /// <summary>How many channels one child process (counting all its instances) may create; the main process is not limited.</summary>
    public int MaxChannelsPerProcess { get; }

    public int MaxReceiveWindow { get; }

    /// <summary>Opens a channel for <paramref name="peer"/>, creating it on first use; the first use fixes its type.</summary>
    /// <exception cref="ChannelTypeMismatchException">The channel exists with another type.</exception>
    public ChannelBinding Open(RouterPeer peer, string name, string typeName) => Open(peer, name, typeName, create: true)!.Value;

    /// <summary>Opens a channel for <paramref name="peer"/>; without <paramref name="create"/>, returns <see langword="null"/> if nobody opened it yet.</summary>
    /// <exception cref="ChannelTypeMismatchException">The channel exists with another type.</exception>
    public ChannelBinding? Open(RouterPeer peer, string name, string typeName, bool create)
    {
        ChannelNames.Validate(name);
        if (!_byName.TryGetValue(name, out var channel))
        {
            if (!create)
            {
                return null;
            }

            lock (_createLock)
            {
                if (!_byName.TryGetValue(name, out channel))
                {
                    CountCreation(peer, name);
                    channel = new RoutedChannel(++_nextId, name, typeName);
                    _byId[channel.Id] = channel;
                    _byName[name] = channel;
                }
            }
        }

        if (!string.Equals(channel.TypeName, typeName, StringComparison.Ordinal))
        {
            throw FirnErrors.ChannelTypeMismatch(name, channel.TypeName, peer.ProcessName, typeName);
        }

        lock (channel.Gate)
        {
            channel.Members.Add(peer);
            return new ChannelBinding(channel.Id, SendWindow, channel.IsClosed);
        }
    }

    /// <summary>A message from <paramref name="sender"/>; the router takes ownership of <paramref name="payload"/>.</summary>
    public void Send(RouterPeer sender, uint channelId, ReadOnlyMemory<byte> payload) => Send(sender, channelId, new ReadOnlySpan<ReadOnlyMemory<byte>>(ref payload));

    /// <summary>
    /// Messages from <paramref name="sender"/> on one channel, in order (a read loop hands over a run of them at once,
    /// so the channel's lock is taken once per run); the router takes ownership of the payloads.
    /// </summary>
    public void Send(RouterPeer sender, uint channelId, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        var channel = Find(sender, channelId);
        if (channel is null)
        {
            return;
        }

        if (channel.Shared is { } shared)
        {
            SendShared(channel, shared, sender, payloads);
            return;
        }

        var run = new DeliveryRun(channel.Id);
        var straightThrough = 0;
        var straightThroughBytes = 0L;
        var accepted = 0;
        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            if (SenderOf(channel, sender, payloads) is not { } state)
            {
                return;
            }

            foreach (var payload in payloads)
            {
                if (!Admits(channel, state, payload.Length))
                {
                    break;
                }

                accepted++;
                var message = new RoutedMessage(sender, payload);
                if (state.Pending.Count == 0 && TryPickReceiver(channel, sender.ProcessName) is { } receiver)
                {
                    // Straight through: the message never waits here, so neither its window slot nor its bytes are counted.
                    receiver.Credit--;
                    receiver.Unacknowledged.Enqueue(message);
                    receiver.Peer.AddDeliveredBytes(payload.Length);
                    run.Add(receiver, payload);
                    straightThrough++;
                    straightThroughBytes += SendBudget.Cost(payload.Length);
                    continue;
                }

                state.Outstanding++;
                sender.AddPendingBytes(SendBudget.Cost(payload.Length));
                state.Pending.Enqueue(message);
                channel.PendingCount++;
            }

            // Plain fields under the channel's lock, already held: the admin endpoint's totals cost the send nothing more.
            channel.Sent += accepted;
            state.Sent += accepted;
            run.Flush();
            if (straightThrough > 0 && !state.Gone)
            {
                // One grant for the run: the sender may send as many more as went straight through.
                sender.GrantCreditsAndBytes(channel.Id, straightThrough, straightThroughBytes);
            }
        }

        _metrics.Sent(channel.Name, sender.ProcessName, accepted);
    }

    /// <summary>
    /// The sender's state on an open channel, made at its first send; <see langword="null"/> (after reporting why) when it
    /// did not open the channel or the channel is closed, in which case the <paramref name="payloads"/> being sent are
    /// dropped and their bytes given back. Under the channel's lock; in-memory and shared channels alike.
    /// </summary>
    private SenderState? SenderOf(RoutedChannel channel, RouterPeer sender, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        var state = channel.FindSender(sender);
        if (state is null || state.Gone)
        {
            if (!channel.Members.Contains(sender))
            {
                sender.Violate($"it sent on channel {channel.Id} without opening it");
                return null;
            }

            if (state is null)
            {
                state = new SenderState(sender);
                channel.Senders.Add(state);
            }
        }

        if (channel.IsClosed)
        {
            // Sent before the sender learned of the close: it counted them against its byte budget, which only the
            // router's release frees (credits do not matter on a closed channel).
            LogSendAfterClose(channel.Name, sender.ProcessName);
            foreach (var payload in payloads)
            {
                sender.ReleaseBytes(SendBudget.Cost(payload.Length));
            }

            return null;
        }

        return state;
    }

    /// <summary>Whether one more message of <paramref name="length"/> bytes fits the sender's window and byte budget; a peer past either broke the protocol (it is told). Under the channel's lock.</summary>
    private bool Admits(RoutedChannel channel, SenderState state, int length)
    {
        var sender = state.Peer;
        if (state.Outstanding >= SendWindow)
        {
            sender.Violate($"it sent more than its window of {SendWindow} messages on channel '{channel.Name}'");
            return false;
        }

        if (!SendBudget.Fits(sender.PendingBytes, length, MaxPendingBytesPerProcess))
        {
            sender.Violate($"it has more than {MaxPendingBytesPerProcess} bytes of messages waiting in the router (FirnAppOptions.ConnectionBufferLimit)");
            return false;
        }

        return true;
    }

    /// <summary><paramref name="receiver"/> starts receiving on the channel with <paramref name="window"/> slots, in <paramref name="mode"/> (recorded for listings).</summary>
    public void Attach(RouterPeer receiver, uint channelId, int window, ReceiveMode mode)
    {
        var channel = Find(receiver, channelId);
        if (channel is null)
        {
            return;
        }

        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            if (!channel.Members.Contains(receiver) || channel.FindReceiver(receiver) is not null)
            {
                receiver.Violate($"it attached to channel {channelId} without opening it, or twice");
                return;
            }

            if (window < 1 || window > MaxReceiveWindow)
            {
                receiver.Violate($"it asked for a receive window of {window}; the allowed range is 1 to {MaxReceiveWindow}");
                return;
            }

            if (mode is not (ReceiveMode.Passive or ReceiveMode.Active))
            {
                receiver.Violate($"it attached to channel '{channel.Name}' in unknown receive mode {(int)mode}");
                return;
            }

            channel.Receivers.Add(new ReceiverState(receiver, window, mode));
            Dispatch(channel);
            channel.Shared?.Wake();
        }
    }

    /// <summary><paramref name="receiver"/> consumed <paramref name="count"/> of the messages delivered to it.</summary>
    public void Ack(RouterPeer receiver, uint channelId, int count)
    {
        var channel = Find(receiver, channelId);
        if (channel is null)
        {
            return;
        }

        // Until the end of the method: a redispatch below (rare: a receiver at its byte limit) holds its writes back too.
        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            var state = channel.FindReceiver(receiver);
            if (state is null)
            {
                // A receiver that raced with the channel's close may still acknowledge; nothing to do.
                if (!channel.IsClosed)
                {
                    receiver.Violate($"it acknowledged messages on channel '{channel.Name}' without receiving on it");
                }

                return;
            }

            if (count < 1 || count > state.Unacknowledged.Count)
            {
                receiver.Violate($"it acknowledged {count} messages on channel '{channel.Name}' but holds {state.Unacknowledged.Count}");
                return;
            }

            long bytes = 0;
            if (channel.Shared is { } shared)
            {
                bytes = ConsumeShared(shared, state, count);
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    var payload = state.Unacknowledged.Dequeue().Payload;
                    bytes += payload.Length;

                    // Delivered and read: the router lets go (a receiver in this process holds it until it has read it).
                    ReceivedBody.Release(payload);
                }
            }

            receiver.AddDeliveredBytes(-bytes);
            state.Credit += count;
            state.Consumed += count;
            channel.Consumed += count;
            Dispatch(channel);
            channel.Shared?.Wake();
        }

        _metrics.Consumed(channel.Name, receiver.ProcessName, count);

        // Deliveries to this process held back on other channels by its byte limit may go on now.
        if (receiver.DeliveryHeld && receiver.DeliveredBytes < MaxPendingBytesPerProcess)
        {
            receiver.DeliveryHeld = false;
            Redispatch(receiver);
        }
    }

    /// <summary>Closes the channel: what is waiting goes to receivers now (beyond their windows if needed), then every member is told.</summary>
    public void Close(RouterPeer requester, uint channelId)
    {
        var channel = Find(requester, channelId);
        if (channel is null)
        {
            return;
        }

        lock (channel.Gate)
        {
            if (!channel.Members.Contains(requester))
            {
                requester.Violate($"it closed channel {channelId} without opening it");
                return;
            }

            if (channel.Shared is { } shared)
            {
                // Closed here once the engine has closed it everywhere, after the messages sent before it.
                shared.Close();
                return;
            }
        }

        CloseChannel(channel);
    }

    private void CloseChannel(RoutedChannel channel)
    {
        RouterPeer[] members;
        var dropped = 0;
        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            if (channel.IsClosed)
            {
                return;
            }

            channel.IsClosed = true;
            foreach (var sender in channel.Senders)
            {
                while (sender.Pending.TryDequeue(out var message))
                {
                    if (!message.Redelivered)
                    {
                        // Its bytes no longer wait here; no credit goes back, since nothing more may be sent on a closed channel.
                        GrantBack(channel, sender, message, grantCredit: false);
                    }

                    var receiver = PickAnyReceiver(channel, message.Sender.ProcessName);
                    if (receiver is null)
                    {
                        // A shared channel's message: acknowledged on the backend too, as discarded.
                        channel.Shared?.Consumed(message.Payload);
                        dropped++;
                    }
                    else
                    {
                        receiver.Credit--;
                        receiver.Unacknowledged.Enqueue(message);
                        receiver.Peer.AddDeliveredBytes(message.Payload.Length);
                        receiver.Peer.Deliver(channel.Id, message.Payload);
                    }
                }
            }

            channel.PendingCount = 0;
            members = [.. channel.Members];
        }

        if (dropped > 0)
        {
            LogDroppedAtClose(channel.Name, dropped);
        }

        foreach (var member in members)
        {
            member.NotifyClosed(channel.Id);
        }
    }

    /// <summary>
    /// Forgets a peer that disconnected. Messages it had received but not acknowledged go back to the
    /// front of their senders' queues and are delivered again (to another receiver, or its next instance).
    /// </summary>
    public void RemovePeer(RouterPeer peer)
    {
        foreach (var channel in _byId.Values)
        {
            using var writes = DeferredWrites.Begin();
            lock (channel.Gate)
            {
                if (!channel.Members.Remove(peer))
                {
                    continue;
                }

                var receiver = channel.FindReceiver(peer);
                if (receiver is not null)
                {
                    channel.Receivers.Remove(receiver);
                    Requeue(channel, receiver.Unacknowledged);
                }

                if (channel.FindSender(peer) is { } sender)
                {
                    sender.Gone = true;
                    if (sender.Pending.Count == 0)
                    {
                        channel.Senders.Remove(sender);
                    }
                }

                Dispatch(channel);
                channel.Shared?.Wake();
            }
        }
    }

    /// <summary>Delivers again to <paramref name="peer"/> after its outbound buffer drained below the congestion limit.</summary>
    public void Redispatch(RouterPeer peer)
    {
        foreach (var channel in _byId.Values)
        {
            using var writes = DeferredWrites.Begin();
            lock (channel.Gate)
            {
                if (channel.PendingCount > 0 && channel.FindReceiver(peer) is not null)
                {
                    Dispatch(channel);
                }
            }
        }
    }

    /// <summary>The bytes of a process's messages waiting here (of its current instance), for diagnostics and tests.</summary>
    public long PendingBytesOf(string processName)
    {
        foreach (var channel in _byId.Values)
        {
            lock (channel.Gate)
            {
                foreach (var sender in channel.Senders)
                {
                    if (!sender.Gone && string.Equals(sender.Peer.ProcessName, processName, StringComparison.Ordinal))
                    {
                        return sender.Peer.PendingBytes;
                    }
                }
            }
        }

        return 0;
    }

    /// <summary>A snapshot of one channel's counters, for diagnostics and tests.</summary>
    public RoutedChannelStats? GetStats(string name)
    {
        if (!_byName.TryGetValue(name, out var channel))
        {
            return null;
        }

        lock (channel.Gate)
        {
            var unacknowledged = 0;
            foreach (var receiver in channel.Receivers)
            {
                unacknowledged += receiver.Unacknowledged.Count;
            }

            var pending = channel.Shared is null ? channel.PendingCount : SharedPending(channel);
            unacknowledged += channel.Shared?.Settling ?? 0;
            return new RoutedChannelStats(channel.Name, channel.TypeName, pending, unacknowledged, channel.Receivers.Count, channel.Members.Count, channel.IsClosed);
        }
    }

    /// <summary>
    /// Messages <paramref name="sender"/> sent on a channel whose credit the router has not granted back (they wait here);
    /// 0 for a channel that is gone.
    /// </summary>
    public int OutstandingOf(RouterPeer sender, uint channelId)
    {
        if (!_byId.TryGetValue(channelId, out var channel))
        {
            return 0;
        }

        lock (channel.Gate)
        {
            return channel.FindSender(sender)?.Outstanding ?? 0;
        }
    }

    private RoutedChannel? Find(RouterPeer peer, uint channelId)
    {
        if (_byId.TryGetValue(channelId, out var channel))
        {
            return channel;
        }

        peer.Violate($"it named channel {channelId}, which does not exist");
        return null;
    }

    private ReceiverState? TryPickReceiver(RoutedChannel channel, string senderName)
    {
        var receivers = channel.Receivers;
        var count = receivers.Count;
        if (count == 1)
        {
            return CanTake(receivers[0], senderName) ? receivers[0] : null;
        }

        var index = count == 0 ? 0 : channel.NextReceiver % count;
        for (var i = 0; i < count; i++, index = index + 1 == count ? 0 : index + 1)
        {
            var candidate = receivers[index];
            if (CanTake(candidate, senderName))
            {
                channel.NextReceiver = index + 1;
                return candidate;
            }
        }

        return null;
    }

    private bool CanTake(ReceiverState candidate, string senderName) =>
        candidate.Credit > 0 && !candidate.Peer.IsCongestedWith(candidate.HeldBytes) && !string.Equals(candidate.Peer.ProcessName, senderName, StringComparison.Ordinal) && HasByteRoom(candidate);

    /// <summary>
    /// Whether a receiver may take another message by bytes: its process holds less than the limit in delivered,
    /// unacknowledged messages (which the router keeps for redelivery), or holds none on this channel (one always fits).
    /// </summary>
    private bool HasByteRoom(ReceiverState candidate)
    {
        if (candidate.Unacknowledged.Count == 0 || candidate.Peer.DeliveredBytes < MaxPendingBytesPerProcess)
        {
            return true;
        }

        candidate.Peer.DeliveryHeld = true;
        return false;
    }

    private static ReceiverState? PickAnyReceiver(RoutedChannel channel, string senderName)
    {
        foreach (var candidate in channel.Receivers)
        {
            if (!string.Equals(candidate.Peer.ProcessName, senderName, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Payloads on their way to receivers of one channel, handed over in runs: consecutive payloads for the same
    /// receiver go to it in one call. What it holds for a receiver counts in that receiver's congestion check
    /// (<see cref="ReceiverState.HeldBytes"/>), so one run cannot take it past its limit by more than one message
    /// (runs on other channels to the same process at the same moment each count only their own).
    /// Used under the channel's lock.
    /// </summary>
    private struct DeliveryRun(uint channelId)
    {
        [ThreadStatic]
        private static List<ReadOnlyMemory<byte>>? s_payloads;

        private ReceiverState? _receiver;
        private List<ReadOnlyMemory<byte>>? _payloads;

        public void Add(ReceiverState receiver, ReadOnlyMemory<byte> payload)
        {
            if (!ReferenceEquals(receiver, _receiver))
            {
                Flush();
                _receiver = receiver;
            }

            receiver.HeldBytes += payload.Length;
            (_payloads ??= s_payloads ??= []).Add(payload);
        }

        public void Flush()
        {
            if (_receiver is null || _payloads is not { Count: > 0 } payloads)
            {
                return;
            }

            _receiver.HeldBytes = 0;

            if (payloads.Count == 1)
            {
                _receiver.Peer.Deliver(channelId, payloads[0]);
            }
            else
            {
                _receiver.Peer.Deliver(channelId, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(payloads));
            }

            payloads.Clear();
        }
    }

    private static void DeliverTo(RoutedChannel channel, ReceiverState receiver, RoutedMessage message)
    {
        receiver.Credit--;
        receiver.Unacknowledged.Enqueue(message);
        receiver.Peer.AddDeliveredBytes(message.Payload.Length);
        receiver.Peer.Deliver(channel.Id, message.Payload);
    }

    /// <summary>A sender's message left its queue: it may send one more on the channel, and its bytes no longer wait here.</summary>
    private static void GrantBack(RoutedChannel channel, SenderState sender, RoutedMessage message, bool grantCredit = true)
    {
        var cost = SendBudget.Cost(message.Payload.Length);
        sender.Outstanding--;
        sender.Peer.AddPendingBytes(-cost);
        if (!sender.Gone)
        {
            if (grantCredit)
            {
                sender.Peer.GrantCreditAndBytes(channel.Id, cost);
            }
            else
            {
                sender.Peer.ReleaseBytes(cost);
            }
        }
    }

    /// <summary>
    /// Moves waiting messages to receivers with free slots, one message per sender per round so no sender starves another.
    /// Deliveries go out in runs per receiver, and each sender gets its credits and released bytes in one grant.
    /// </summary>
    private void Dispatch(RoutedChannel channel)
    {
        var senders = channel.Senders;
        var count = senders.Count;
        if (channel.PendingCount == 0 || count == 0)
        {
            channel.Senders.RemoveAll(s => s.Gone && s.Pending.Count == 0);
            return;
        }

        var granted = count <= 64 ? stackalloc int[count] : new int[count];
        var released = count <= 64 ? stackalloc long[count] : new long[count];
        granted.Clear();
        released.Clear();
        var run = new DeliveryRun(channel.Id);
        var progress = true;
        while (progress && channel.PendingCount > 0)
        {
            progress = false;
            var index = channel.NextSender % count;
            for (var i = 0; i < count; i++, index = index + 1 == count ? 0 : index + 1)
            {
                var sender = senders[index];
                if (sender.Pending.Count == 0 || TryPickReceiver(channel, sender.Peer.ProcessName) is not { } receiver)
                {
                    continue;
                }

                var message = sender.Pending.Dequeue();
                channel.PendingCount--;
                receiver.Credit--;
                receiver.Unacknowledged.Enqueue(message);
                receiver.Peer.AddDeliveredBytes(message.Payload.Length);
                run.Add(receiver, message.Payload);
                if (!message.Redelivered)
                {
                    sender.Outstanding--;
                    granted[index]++;
                    released[index] += SendBudget.Cost(message.Payload.Length);
                }

                progress = true;
            }

            channel.NextSender = (channel.NextSender + 1) % count;
        }

        run.Flush();
        for (var i = 0; i < count; i++)
        {
            if (granted[i] == 0)
            {
                continue;
            }

            var sender = senders[i];
            sender.Peer.AddPendingBytes(-released[i]);
            if (!sender.Gone)
            {
                sender.Peer.GrantCreditsAndBytes(channel.Id, granted[i], released[i]);
            }
        }

        channel.Senders.RemoveAll(s => s.Gone && s.Pending.Count == 0);
    }

    private void Requeue(RoutedChannel channel, Queue<RoutedMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        _metrics.Redelivered(channel.Name, messages.Count);

        foreach (var group in messages.GroupBy(m => m.Sender))
        {
            var sender = channel.FindSender(group.Key);
            if (sender is null)
            {
                sender = new SenderState(group.Key) { Gone = !channel.Members.Contains(group.Key) };
                channel.Senders.Add(sender);
            }

            // Redelivered messages go first, in their original order; they no longer count against the sender's window.
            sender.Pending = new Queue<RoutedMessage>(group.Select(m => m with { Redelivered = true }).Concat(sender.Pending));
            channel.PendingCount += group.Count();
        }

        messages.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process '{Process}' sent on channel '{Channel}' as it closed; the message was discarded")]
    private partial void LogSendAfterClose(string channel, string process);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel '{Channel}' closed with {Count} messages that no receiver of another process could take; they were discarded")]
    private partial void LogDroppedAtClose(string channel, int count);
}

/// <summary>Counters of one channel in the router.</summary>
/// <param name="Name">The channel's name.</param>
/// <param name="TypeName">The message type fixed by its first use.</param>
/// <param name="Pending">Messages waiting for a receiver.</param>
/// <param name="Unacknowledged">Messages delivered to receivers and not yet consumed.</param>
/// <param name="Receivers">Processes receiving on it.</param>
/// <param name="Members">Processes that opened it.</param>
/// <param name="IsClosed">Whether it was closed.</param>
internal readonly record struct RoutedChannelStats(string Name, string TypeName, int Pending, int Unacknowledged, int Receivers, int Members, bool IsClosed);
