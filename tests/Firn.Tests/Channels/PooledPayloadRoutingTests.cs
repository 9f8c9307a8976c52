using Firn.Channels;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Channels;

/// <summary>
/// A large message a child sent is kept by the router as a slice of its pooled body until the receiver acknowledges it:
/// its array goes back to the pool only then, so a message waiting to be delivered, or delivered and not yet
/// acknowledged (kept for delivery again if its receiver is lost), never shares its bytes with the next one.
/// </summary>
public sealed class PooledPayloadRoutingTests
{
    private const int Large = 300 * 1024;

    [Fact]
    public void A_routed_large_message_goes_back_to_the_pool_only_when_its_receiver_acknowledges_it()
    {
        var pool = new LargeBodyPool();
        var router = new Router(1024, 1024, NullLogger.Instance);
        var sender = new CopyingPeer("sender");
        var receiver = new CopyingPeer("receiver");
        var id = router.Open(sender, "large", "System.Byte[]").ChannelId;
        router.Open(receiver, "large", "System.Byte[]");

        // Nobody receives yet: both messages wait in the router, each in its own pooled body.
        var first = SendFromChild(router, sender, id, pool, 1);
        var second = SendFromChild(router, sender, id, pool, 2);
        Assert.NotSame(first.Array, second.Array);
        Assert.False(first.Returned || second.Returned);

        router.Attach(receiver, id, window: 16, ReceiveMode.Active);
        Assert.Equal([1, 2], receiver.Copies.Select(c => c[0]));
        Assert.True(receiver.Copies.All(c => c.Length == Large - 4));
        Assert.False(first.Returned || second.Returned);

        router.Ack(receiver, id, 1);
        Assert.True(first.Returned);
        Assert.False(second.Returned);
        Assert.Equal(1, pool.Count);

        router.Ack(receiver, id, 1);
        Assert.True(second.Returned);
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void A_message_kept_for_delivery_again_after_its_receiver_is_lost_keeps_its_bytes()
    {
        var pool = new LargeBodyPool();
        var router = new Router(1024, 1024, NullLogger.Instance);
        var sender = new CopyingPeer("sender");
        var lost = new CopyingPeer("lost");
        var next = new CopyingPeer("next");
        var id = router.Open(sender, "large", "System.Byte[]").ChannelId;
        router.Open(lost, "large", "System.Byte[]");
        router.Attach(lost, id, window: 16, ReceiveMode.Active);

        var body = SendFromChild(router, sender, id, pool, 7);
        Assert.Single(lost.Copies);
        router.RemovePeer(lost);

        // The pool was not given the array, so a body read meanwhile cannot be written over it.
        var other = SendFromChild(router, sender, id, pool, 8);
        Assert.NotSame(body.Array, other.Array);

        router.Open(next, "large", "System.Byte[]");
        router.Attach(next, id, window: 16, ReceiveMode.Active);
        Assert.Equal([7, 8], next.Copies.Select(c => c[0]));
        Assert.True(next.Copies[0].AsSpan(1).IndexOfAnyExcept((byte)7) < 0, "the message delivered again changed");

        router.Ack(next, id, 2);
        Assert.True(body.Returned && other.Returned);
    }

    /// <summary>Reads a frame from a child into a pooled body and hands its payload to the router, as ChannelServer does.</summary>
    private static PooledBody SendFromChild(Router router, RouterPeer sender, uint channelId, LargeBodyPool pool, byte fill)
    {
        var body = PooledBody.Rent(Large, pool);
        body.GetSpan().Fill(fill);
        ReceivedBody.Handle((_, span) => router.Send(sender, channelId, ReceivedBody.Keep(span[4..])), FrameKind.Send, body);
        return body;
    }

    /// <summary>A child: what is delivered to it is copied into its connection's buffer at once, as SessionRouterPeer does.</summary>
    private sealed class CopyingPeer(string name) : RouterPeer(name)
    {
        public List<byte[]> Copies { get; } = [];

        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload) => Copies.Add(payload.ToArray());

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
}
