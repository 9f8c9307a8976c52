using Firn.Channels;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>
/// The router's byte limits: a sender's waiting bytes (exactly the limit is accepted, a byte more disconnects a hostile
/// sender), a receiver's unacknowledged bytes, and a receiver's congestion limit counted with the run in hand.
/// </summary>
public sealed class RouterBudgetTests
{
    [Fact]
    public void A_sender_may_have_exactly_the_limit_waiting_and_one_byte_more_is_a_violation()
    {
        var router = new Router(1024, 1024, NullLogger.Instance, maxPendingBytesPerProcess: 1000);
        var sender = new Peer("hostile");
        var id = router.Open(sender, "no-receiver", "System.Byte[]").ChannelId;

        // Each message counts as its frame: SendBudget.Cost(591) + SendBudget.Cost(391) is exactly 1000.
        router.Send(sender, id, new byte[591]);
        router.Send(sender, id, new byte[391]);
        Assert.Empty(sender.Violations);
        Assert.Equal(1000, sender.PendingBytes);

        router.Send(sender, id, new byte[1]);
        Assert.Contains("more than 1000 bytes of messages waiting", sender.Violations.Single(), StringComparison.Ordinal);
        Assert.Equal(2, router.GetStats("no-receiver")!.Value.Pending);
    }

    [Fact]
    public void Messages_that_arrive_after_their_channel_closed_are_dropped_and_their_bytes_given_back()
    {
        var router = new Router(1024, 1024, NullLogger.Instance, maxPendingBytesPerProcess: 1000);
        var sender = new Peer("sender");
        var closer = new Peer("closer");
        var id = router.Open(sender, "closing", "System.Byte[]").ChannelId;
        router.Open(closer, "closing", "System.Byte[]");
        router.Close(closer, id);

        // Sent before the sender heard of the close: nothing waits, nothing is a violation, and the budget is whole again.
        router.Send(sender, id, new ReadOnlyMemory<byte>[] { new byte[100], new byte[200] });
        router.Send(sender, id, new byte[300]);

        Assert.Empty(sender.Violations);
        Assert.Equal(0, sender.PendingBytes);
        Assert.Equal(SendBudget.Cost(100) + SendBudget.Cost(200) + SendBudget.Cost(300), sender.Released);
        Assert.Equal(0, router.GetStats("closing")!.Value.Pending);
    }

    [Fact]
    public void One_message_larger_than_the_limit_fits_when_nothing_waits_and_delivery_releases_its_bytes()
    {
        var router = new Router(1024, 1024, NullLogger.Instance, maxPendingBytesPerProcess: 1000);
        var sender = new Peer("sender");
        var receiver = new Peer("receiver");
        var id = router.Open(sender, "c", "System.Byte[]").ChannelId;
        router.Open(receiver, "c", "System.Byte[]");

        router.Send(sender, id, new byte[5000]);
        Assert.Empty(sender.Violations);
        router.Attach(receiver, id, 16, ReceiveMode.Active);

        Assert.Equal(0, sender.PendingBytes);
        Assert.Equal(SendBudget.Cost(5000), sender.Released);
        Assert.Equal(1, receiver.Delivered);
    }

    [Fact]
    public void A_run_of_messages_goes_through_in_order_and_a_violation_inside_it_stops_the_rest()
    {
        var router = new Router(3, 1024, NullLogger.Instance);
        var sender = new Peer("sender");
        var receiver = new Peer("receiver");
        var id = router.Open(sender, "run", "System.Byte[]").ChannelId;
        router.Open(receiver, "run", "System.Byte[]");
        router.Attach(receiver, id, 2, ReceiveMode.Active);

        // Two go straight to the receiver (its window is 2), three wait (the sender's window); the sixth breaks it.
        router.Send(sender, id, new ReadOnlyMemory<byte>[] { new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 }, new byte[] { 4 }, new byte[] { 5 }, new byte[] { 6 } });

        Assert.Equal([1, 2], receiver.Payloads.Select(p => p.Span[0]));
        Assert.Equal(3, router.GetStats("run")!.Value.Pending);
        Assert.Contains("more than its window of 3 messages", sender.Violations.Single(), StringComparison.Ordinal);
        Assert.Equal(2, sender.Credits);
        Assert.Equal(2 * SendBudget.Cost(1), sender.Released);
        Assert.Equal(3 * SendBudget.Cost(1), sender.PendingBytes);
    }

    [Fact]
    public void A_receiver_holds_at_most_the_byte_limit_of_unacknowledged_messages_across_channels_and_acks_resume_every_channel()
    {
        var router = new Router(1024, 1024, NullLogger.Instance, maxPendingBytesPerProcess: 1000);
        var sender = new Peer("sender");
        var receiver = new Peer("receiver");
        var first = router.Open(sender, "first", "System.Byte[]").ChannelId;
        var second = router.Open(sender, "second", "System.Byte[]").ChannelId;
        router.Open(receiver, "first", "System.Byte[]");
        router.Open(receiver, "second", "System.Byte[]");
        router.Attach(receiver, first, 100, ReceiveMode.Active);
        router.Attach(receiver, second, 100, ReceiveMode.Active);

        // 600 + 400 reach the limit; the third waits though the receiver's window has room.
        router.Send(sender, first, new ReadOnlyMemory<byte>[] { new byte[600], new byte[400], new byte[10] });
        Assert.Equal(2, receiver.Delivered);
        Assert.Equal(1000, receiver.DeliveredBytes);
        Assert.Equal(1, router.GetStats("first")!.Value.Pending);

        // One message always fits on a channel where the receiver holds none (no channel waits on another's acks);
        // a second one there waits for the limit too.
        router.Send(sender, second, new ReadOnlyMemory<byte>[] { new byte[1], new byte[2] });
        Assert.Equal(3, receiver.Delivered);
        Assert.Equal(1, router.GetStats("second")!.Value.Pending);

        // Acknowledging on one channel resumes the others.
        router.Ack(receiver, first, 2);
        Assert.Equal(5, receiver.Delivered);
        Assert.Equal(13, receiver.DeliveredBytes);
        Assert.Equal(0, router.GetStats("first")!.Value.Pending);
        Assert.Equal(0, router.GetStats("second")!.Value.Pending);
        Assert.Empty(sender.Violations);
        Assert.Empty(receiver.Violations);
    }

    [Fact]
    public void A_run_delivers_to_a_receiver_only_while_its_buffer_with_the_run_stays_within_the_congestion_limit()
    {
        var router = new Router(1024, 1024, NullLogger.Instance);
        var sender = new Peer("sender");
        var receiver = new Peer("receiver") { CongestionLimit = 1000 };
        var id = router.Open(sender, "c", "System.Byte[]").ChannelId;
        router.Open(receiver, "c", "System.Byte[]");
        router.Attach(receiver, id, 100, ReceiveMode.Active);

        // Straight through: 0, 300, 600 and 900 bytes queued are within the limit, so four go out (one message past it at most).
        router.Send(sender, id, Enumerable.Range(0, 10).Select(_ => (ReadOnlyMemory<byte>)new byte[300]).ToArray());
        Assert.Equal(4, receiver.Delivered);
        Assert.Equal(1200, receiver.Queued);
        Assert.Equal(6, router.GetStats("c")!.Value.Pending);

        // The receiver's buffer is written out and it acknowledges: a dispatch of the waiting ones stops at the limit too.
        receiver.Queued = 0;
        router.Ack(receiver, id, 4);
        Assert.Equal(8, receiver.Delivered);
        Assert.Equal(1200, receiver.Queued);
        Assert.Equal(2, router.GetStats("c")!.Value.Pending);

        receiver.Queued = 0;
        router.Redispatch(receiver);
        Assert.Equal(10, receiver.Delivered);
        Assert.Equal(0, router.GetStats("c")!.Value.Pending);
        Assert.Empty(sender.Violations);
        Assert.Empty(receiver.Violations);
    }

    [Fact]
    public async Task A_receiver_refused_for_the_bytes_a_run_held_gets_the_rest_once_its_buffer_drains_with_no_acknowledgement()
    {
        var router = new Router(1024, 1024, NullLogger.Instance);
        var sender = new Peer("sender");
        var receiver = new BufferedPeer("receiver", new OutboundBuffer(congestionLimit: 1000));
        receiver.Buffer.Drained += () => router.Redispatch(receiver);
        var id = router.Open(sender, "c", "System.Byte[]").ChannelId;
        router.Open(receiver, "c", "System.Byte[]");
        router.Attach(receiver, id, 100, ReceiveMode.Active);

        // Each frame is 300 bytes and a header; the buffer never held more than the limit before the run was handed over.
        router.Send(sender, id, Enumerable.Range(0, 10).Select(_ => (ReadOnlyMemory<byte>)new byte[300]).ToArray());
        Assert.Equal(4, receiver.Delivered);
        Assert.True(receiver.Buffer.IsCongested);

        // Writing the buffer down raises Drained, which resumes delivery: every message arrives without an Ack.
        for (var writes = 0; receiver.Delivered < 10; writes++)
        {
            Assert.True(writes < 10, $"delivery stalled at {receiver.Delivered} of 10");
            var batch = await receiver.Buffer.TakeAsync(CancellationToken.None);
            Assert.True(batch.Count > 0, $"nothing to write with {receiver.Delivered} of 10 delivered");
            receiver.Buffer.OnBatchWritten();
        }

        Assert.Equal(0, router.GetStats("c")!.Value.Pending);
        Assert.Empty(sender.Violations);
    }

    /// <summary>A receiver whose deliveries become frames in a real outbound buffer (the test plays its write loop).</summary>
    private sealed class BufferedPeer(string name, OutboundBuffer buffer) : RouterPeer(name)
    {
        public OutboundBuffer Buffer { get; } = buffer;

        public int Delivered { get; private set; }

        public override bool IsCongestedWith(long heldBytes) => Buffer.IsCongestedWith(heldBytes);

        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload)
        {
            Delivered++;
            Buffer.AppendChannelFrame(FrameKind.Deliver, channelId, payload.Span);
        }

        public override void GrantCredit(uint channelId, int count)
        {
        }

        public override void ReleaseBytes(int bytes)
        {
        }

        public override void NotifyClosed(uint channelId)
        {
        }

        public override void Violate(string reason) => throw new InvalidOperationException(reason);
    }

    private sealed class Peer(string name) : RouterPeer(name)
    {
        public List<string> Violations { get; } = [];

        /// <summary>Bytes delivered and not yet "written" (the test resets it), standing in for an outbound buffer.</summary>
        public long Queued { get; set; }

        public long CongestionLimit { get; init; } = long.MaxValue;

        public long Released { get; private set; }

        public int Delivered { get; private set; }

        public List<ReadOnlyMemory<byte>> Payloads { get; } = [];

        public int Credits { get; private set; }

        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload)
        {
            Delivered++;
            Queued += payload.Length;
            Payloads.Add(payload);
        }

        public override bool IsCongestedWith(long heldBytes) => Queued + heldBytes > CongestionLimit;

        public override void GrantCredit(uint channelId, int count) => Credits += count;

        public override void ReleaseBytes(int bytes) => Released += bytes;

        public override void NotifyClosed(uint channelId)
        {
        }

        public override void Violate(string reason) => Violations.Add(reason);
    }
}
