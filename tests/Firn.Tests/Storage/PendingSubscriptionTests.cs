using Firn.Storage;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Storage;

/// <summary>A child's subscription that its subscriber gave up on (its deadline passed) stops waiting for the main process.</summary>
public sealed class PendingSubscriptionTests
{
    [Fact]
    public async Task A_subscription_withdrawn_before_its_confirmation_leaves_nothing_waiting_and_its_late_confirmation_is_ignored()
    {
        RemotePubSubBackend? backend = null;
        await using var child = await InProcessChild.ConnectAsync("subscriber", (host, _) => backend = new RemotePubSubBackend(host, new LocalSubscriptions()));
        var pubSub = backend!;

        // The test plays a main process that has not answered yet: request 1 is for "t", request 2 for "u".
        var first = pubSub.Register("t", isPattern: false);
        var second = pubSub.Register("u", isPattern: false);
        Assert.Equal(2, pubSub.PendingCount);

        pubSub.Unregister("t", isPattern: false);
        Assert.Equal(1, pubSub.PendingCount);
        Assert.True(first.IsCanceled);

        // Replies come in order: once request 2's confirmation has arrived, request 1's late one was read before it.
        await child.SendFrameAsync(FrameKind.SubscribeReply, new BodyWriter().WriteUInt32(1).WriteByte(0).WriteString(string.Empty).Written.ToArray());
        await child.SendFrameAsync(FrameKind.SubscribeReply, new BodyWriter().WriteUInt32(2).WriteByte(0).WriteString(string.Empty).Written.ToArray());
        await second.WaitAsync(TestApps.Timeout);
        Assert.Equal(0, pubSub.PendingCount);
        Assert.True(first.IsCanceled);
    }
}
