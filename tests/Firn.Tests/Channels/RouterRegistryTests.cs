using Firn.Channels;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Channels;

/// <summary>The router's side of the registry: lookups that never create, recorded receive modes, and the listing's wire form.</summary>
public sealed class RouterRegistryTests
{
    private readonly Router _router = new(16, 64, NullLogger.Instance);

    [Fact]
    public void Opening_only_if_it_exists_never_creates_a_channel()
    {
        var peer = new RecordingPeer("child");

        Assert.Null(_router.Open(peer, "absent", "System.Int32", create: false));
        Assert.Empty(_router.List());

        var created = _router.Open(peer, "present", "System.Int32");
        Assert.Equal(created, _router.Open(new RecordingPeer("other"), "present", "System.Int32", create: false));
        Assert.Throws<ChannelTypeMismatchException>(() => _router.Open(peer, "present", "System.String", create: false));
    }

    [Fact]
    public void Attach_records_the_receive_mode_and_an_unknown_mode_drops_the_peer_and_changes_nothing()
    {
        var passive = new RecordingPeer("passive");
        var active = new RecordingPeer("active");
        var sender = new RecordingPeer("sender");
        var hostile = new RecordingPeer("hostile");
        var id = _router.Open(passive, "modes", "System.String").ChannelId;
        _router.Open(active, "modes", "System.String");
        _router.Open(sender, "modes", "System.String");
        _router.Open(hostile, "modes", "System.String");

        _router.Attach(passive, id, 8, ReceiveMode.Passive);
        _router.Attach(active, id, 8, ReceiveMode.Active);
        _router.Attach(hostile, id, 8, ReceiveMode.None);
        _router.Attach(hostile, id, 8, (ReceiveMode)7);

        Assert.Equal(2, hostile.Violations.Count);
        Assert.Contains("unknown receive mode 0", hostile.Violations[0], StringComparison.Ordinal);
        var channel = Assert.Single(_router.List());
        Assert.Equal(
            ["active:Active", "hostile:None", "passive:Passive", "sender:None"],
            channel.Members.Select(m => $"{m.ProcessName}:{m.Mode}"));
        Assert.Empty(passive.Violations);
    }

    [Fact]
    public void The_listing_survives_its_wire_form_and_a_lying_count_is_refused()
    {
        var peer = new RecordingPeer("child");
        var id = _router.Open(peer, "wire", "System.Collections.Generic.List<System.String>").ChannelId;
        _router.Attach(peer, id, 4, ReceiveMode.Active);
        var main = new RecordingPeer("main");
        _router.Send(main, _router.Open(main, "other", "System.Int32").ChannelId, new byte[] { 1 });
        var listing = _router.List();
        Assert.Equal(1, Assert.Single(listing, c => c.Name == "other").Queued);

        var (requestId, channels, error) = ChannelListCodec.DecodeReply(ChannelListCodec.EncodeReply(42, listing));

        Assert.Equal(42u, requestId);
        Assert.Null(error);
        Assert.Equal(Describe(listing), Describe(channels!));
        Assert.Equal("too big", ChannelListCodec.DecodeReply(ChannelListCodec.EncodeError(7, "too big")).Error);
        byte[] lying = [1, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F];
        Assert.Throws<ProtocolViolationException>(() => ChannelListCodec.DecodeReply(lying));
    }

    private static string Describe(IEnumerable<ChannelInfo> channels) => Firn.TestChild.ChannelListing.Format(channels.Select(c => c with { Name = "x-" + c.Name }), "x");

    private sealed class RecordingPeer(string name) : RouterPeer(name)
    {
        public List<string> Violations { get; } = [];

        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload)
        {
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

        public override void Violate(string reason) => Violations.Add(reason);
    }
}
