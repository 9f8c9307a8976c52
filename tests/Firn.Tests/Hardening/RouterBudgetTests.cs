using Firn.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>The router's count of a sender's waiting bytes: exactly the limit is accepted, a byte more disconnects a hostile sender.</summary>
public sealed class RouterBudgetTests
{
    [Fact]
    public void A_sender_may_have_exactly_the_limit_waiting_and_one_byte_more_is_a_violation()
    {
        var router = new Router(1024, 1024, NullLogger.Instance, maxPendingBytesPerProcess: 1000);
        var sender = new Peer("hostile");
        var id = router.Open(sender, "no-receiver", "System.Byte[]").ChannelId;

        router.Send(sender, id, new byte[600]);
        router.Send(sender, id, new byte[400]);
        Assert.Empty(sender.Violations);
        Assert.Equal(1000, sender.PendingBytes);

        router.Send(sender, id, new byte[1]);
        Assert.Contains("more than 1000 bytes of messages waiting", sender.Violations.Single(), StringComparison.Ordinal);
        Assert.Equal(2, router.GetStats("no-receiver")!.Value.Pending);
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
        router.Attach(receiver, id, 16, Firn.Channels.ReceiveMode.Active);

        Assert.Equal(0, sender.PendingBytes);
        Assert.Equal(5000, sender.Released);
        Assert.Equal(1, receiver.Delivered);
    }

    private sealed class Peer(string name) : RouterPeer(name)
    {
        public List<string> Violations { get; } = [];

        public long Released { get; private set; }

        public int Delivered { get; private set; }

        public override void Deliver(uint channelId, byte[] payload) => Delivered++;

        public override void GrantCredit(uint channelId, int count)
        {
        }

        public override void ReleaseBytes(int bytes) => Released += bytes;

        public override void NotifyClosed(uint channelId)
        {
        }

        public override void Violate(string reason) => Violations.Add(reason);
    }
}
