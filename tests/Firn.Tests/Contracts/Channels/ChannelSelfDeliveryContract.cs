namespace Firn.Tests.Contracts.Channels;

/// <summary>
/// A process never receives its own messages, so one channel carries two processes' talk both ways. A promise of the
/// in-memory router only: on Redis a host reads a channel's entries for all its receivers at once, and a message may go
/// to any receiving process, its sender included (docs/redis.md, "Channels"), so these run on the in-memory targets only.
/// </summary>
public abstract class ChannelSelfDeliveryContract : ContractTests
{
    private protected ChannelSelfDeliveryContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    [ContractFact]
    public async Task A_process_never_receives_its_own_messages_so_one_channel_works_both_ways()
    {
        var name = Name("both-ways");

        var subject = Subject.RunAsync("channel.talk", name, 100);
        var main = Peer.RunAsync("channel.talk", name, 100);

        Assert.Equal("received=100 own=0", await subject);
        Assert.Equal("received=100 own=0", await main);
    }
}

/// <summary>No delivery to the sender, between a child hosted in the test process and the main process.</summary>
public sealed class ChannelSelfDeliveryContract_InProcessChild(InProcessChildFixture fixture) : ChannelSelfDeliveryContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>No delivery to the sender, between a real child process and the main process.</summary>
public sealed class ChannelSelfDeliveryContract_RealChild(RealChildFixture fixture) : ChannelSelfDeliveryContract(fixture), IClassFixture<RealChildFixture>;
