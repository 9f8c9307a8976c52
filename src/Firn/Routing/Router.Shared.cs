using Firn.Channels;
using Firn.Failures;
using Firn.Transport;

namespace Firn.Routing;

/// <content>
/// Channels shared with other main processes through <see cref="Engine"/>. A local sender's message goes to the engine
/// instead of a local queue, and stays outstanding in its window until the engine says a receiver somewhere consumed it;
/// what the engine hands over waits in the channel's queues as any message does, under per-origin senders that count
/// against nobody's window (they are <c>Redelivered</c>), and reaches local receivers through <c>Dispatch</c>.
/// </content>
internal sealed partial class Router
{
    /// <summary>The engine that shares this main process's channels, or <see langword="null"/> (in memory); set once, before any channel is opened.</summary>
    public IChannelEngine? Engine { get; set; }

    /// <summary>
    /// Opens a channel as <see cref="Open(RouterPeer, string, string, bool)"/> does; with an <see cref="Engine"/>, a channel
    /// new to this main process is declared on the engine first (which fixes or checks its type across hosts).
    /// </summary>
    public async ValueTask<ChannelBinding?> OpenAsync(RouterPeer peer, string name, string typeName, bool create)
    {
        if (Engine is not { } engine || _byName.ContainsKey(name))
        {
            return Open(peer, name, typeName, create);
        }

        ChannelNames.Validate(name);
        var state = await engine.DeclareAsync(name, typeName, create).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }

        if (!string.Equals(state.TypeName, typeName, StringComparison.Ordinal))
        {
            throw FirnErrors.ChannelTypeMismatch(name, state.TypeName, peer.ProcessName, typeName);
        }

        lock (_createLock)
        {
            if (!_byName.ContainsKey(name))
            {
                CountCreation(peer, name);
                var channel = new RoutedChannel(++_nextId, name, state.TypeName) { IsClosed = state.IsClosed };
                channel.Shared = engine.Bind(this, channel);
                _byId[channel.Id] = channel;
                _byName[name] = channel;
            }
        }

        return Open(peer, name, typeName, create: false);
    }

    /// <summary>How many more messages local receivers may take than the channel already holds for them (the engine reads that many).</summary>
    public static int DemandOf(RoutedChannel channel)
    {
        lock (channel.Gate)
        {
            if (channel.IsClosed)
            {
                return 0;
            }

            var free = 0;
            foreach (var receiver in channel.Receivers)
            {
                free += receiver.Credit;
            }

            return free - channel.PendingCount;
        }
    }

    /// <summary>
    /// Messages the engine read for this main process, in the order of each origin: they wait in the channel's queues and
    /// go to local receivers as credit allows. <paramref name="own"/> counts those a local process sent (see <see cref="SharedChannel.HeldOwn"/>).
    /// </summary>
    public void DeliverShared(RoutedChannel channel, IReadOnlyList<(RouterPeer Origin, ReadOnlyMemory<byte> Payload)> messages, int own)
    {
        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            channel.Shared!.HeldOwn += own;
            foreach (var (origin, payload) in messages)
            {
                var sender = channel.FindSender(origin);
                if (sender is null)
                {
                    // Gone from the start: no credit goes back to an origin, and its state goes once its queue is empty.
                    sender = new SenderState(origin) { Gone = true };
                    channel.Senders.Add(sender);
                }

                sender.Pending.Enqueue(new RoutedMessage(origin, payload, Redelivered: true));
                channel.PendingCount++;
            }

            Dispatch(channel);
        }
    }

    /// <summary>Messages of a local sender that a receiver somewhere consumed: credit and bytes go back to it.</summary>
    public static void GrantShared(RoutedChannel channel, RouterPeer sender, int count, long bytes)
    {
        using var writes = DeferredWrites.Begin();
        lock (channel.Gate)
        {
            var state = channel.FindSender(sender);
            sender.AddPendingBytes(-bytes);
            if (state is null)
            {
                return;
            }

            state.Outstanding -= count;
            if (!state.Gone && !channel.IsClosed)
            {
                sender.GrantCreditsAndBytes(channel.Id, count, bytes);
            }
            else if (!state.Gone)
            {
                sender.ReleaseBytes((int)bytes);
            }

            if (state.Gone && state.Outstanding == 0 && state.Pending.Count == 0)
            {
                channel.Senders.Remove(state);
            }
        }
    }

    /// <summary>Another main process closed the shared channel: this one closes it for its processes.</summary>
    public void CloseShared(RoutedChannel channel) => CloseChannel(channel);

    private void SendShared(RoutedChannel channel, SharedChannel shared, RouterPeer sender, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        var accepted = 0;
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

                var cost = SendBudget.Cost(payload.Length);
                accepted++;
                state.Outstanding++;
                sender.AddPendingBytes(cost);
                shared.Append(sender, payload, cost);
            }

            channel.Sent += accepted;
            state.Sent += accepted;
        }

        _metrics.Sent(channel.Name, sender.ProcessName, accepted);
    }

    /// <summary>A receiver consumed <paramref name="count"/> messages of a shared channel: the engine acknowledges each on the backend. Under the channel's lock.</summary>
    private static long ConsumeShared(SharedChannel shared, ReceiverState state, int count)
    {
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var payload = state.Unacknowledged.Dequeue().Payload;
            bytes += payload.Length;
            shared.Consumed(payload);
        }

        return bytes;
    }

    /// <summary>Local senders' messages not consumed yet (on the backend, or waiting to get there), less those this main process holds.</summary>
    private static int SharedPending(RoutedChannel channel)
    {
        var outstanding = 0;
        foreach (var sender in channel.Senders)
        {
            outstanding += sender.Outstanding;
        }

        return channel.PendingCount + outstanding - channel.Shared!.HeldOwn - channel.Shared.Settling;
    }

    private void CountCreation(RouterPeer peer, string name)
    {
        // Channels live as long as the app, so a child's creations are counted across its restarts.
        if (!peer.IsMainProcess)
        {
            ref var created = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_createdBy, peer.ProcessName, out _);
            if (created >= MaxChannelsPerProcess)
            {
                throw FirnErrors.ChannelLimit(peer.ProcessName, MaxChannelsPerProcess, name);
            }

            created++;
        }
    }
}
