using Firn.Channels;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Tests.Tracing;

/// <summary>The capability lists that may end a Hello and a Welcome (docs/PROTOCOL.md, "Capabilities").</summary>
public sealed class CapabilityHandshakeTests
{
    private static readonly ChannelBinding Active = new(7, 16, false);
    private static readonly ChannelBinding Passive = new(8, 16, true);

    [Fact]
    public void A_hello_offers_what_this_build_speaks_and_an_old_style_hello_without_a_list_offers_nothing()
    {
        Assert.Equal(("worker", "secret", Capabilities.TraceContext | Capabilities.SocketPoll), Decode(Handshake.EncodeHello("worker", "secret")));
        var old = new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteString("worker").WriteString("secret").Written.ToArray();
        Assert.Equal(("worker", "secret", Capabilities.None), Decode(old));
        Assert.Equal(old, Handshake.EncodeHello("worker", "secret", Capabilities.None));

        // An empty list is a list: nothing offered.
        Assert.Equal(Capabilities.None, Handshake.DecodeHello([.. old, 0]).Offered);
    }

    [Fact]
    public void Unknown_capabilities_are_ignored()
    {
        var body = HelloWith(3, "python-children", "trace-context", "x.y-2");
        Assert.Equal(Capabilities.TraceContext, Handshake.DecodeHello(body).Offered);
        Assert.Equal(Capabilities.None, Handshake.DecodeHello(HelloWith(1, "something-else")).Offered);
    }

    [Theory]
    [InlineData("count above 32")]
    [InlineData("empty name")]
    [InlineData("upper case")]
    [InlineData("name too long")]
    [InlineData("not UTF-8")]
    [InlineData("bytes after the list")]
    [InlineData("fewer names than counted")]
    public void A_malformed_capability_list_is_a_protocol_violation(string what)
    {
        var body = what switch
        {
            "count above 32" => HelloWith(33, Enumerable.Repeat("a", 33).ToArray()),
            "empty name" => HelloWith(1, ""),
            "upper case" => HelloWith(1, "Trace-Context"),
            "name too long" => HelloWith(1, new string('a', 65)),
            "not UTF-8" => [.. Old(), 1, 2, 0, 0xC3, 0x28],
            "bytes after the list" => [.. HelloWith(1, "trace-context"), 0],
            "fewer names than counted" => HelloWith(2, "trace-context"),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var error = Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeHello(body));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void A_welcome_puts_capabilities_in_force_after_its_built_in_channels()
    {
        var welcome = Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024, Active, Passive, Capabilities.TraceContext);
        Assert.Equal(((7u, false), (8u, true)), Handshake.DecodeWelcomeChannels(welcome));
        Assert.Equal(Capabilities.TraceContext, Handshake.DecodeWelcomeCapabilities(welcome, Capabilities.TraceContext));

        // A main process older than capabilities: the same Welcome without the list, and nothing in force.
        var old = Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024, Active, Passive);
        Assert.Equal(welcome.Length - 1 - 2 - "trace-context".Length, old.Length);
        Assert.Equal(Capabilities.None, Handshake.DecodeWelcomeCapabilities(old, Capabilities.TraceContext));
        Assert.Equal(Capabilities.None, Handshake.DecodeWelcomeCapabilities(Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024), Capabilities.TraceContext));
    }

    [Fact]
    public void A_welcome_that_puts_in_force_what_the_child_did_not_offer_or_a_truncated_list_is_a_protocol_violation()
    {
        var welcome = Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024, Active, Passive, Capabilities.TraceContext);
        Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeWelcomeCapabilities(welcome, Capabilities.None));
        for (var length = 25; length < welcome.Length; length++)
        {
            var truncated = welcome[..length];
            Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeWelcomeCapabilities(truncated, Capabilities.TraceContext));
        }
    }

    private static (string Name, string Secret, Capabilities Offered) Decode(byte[] hello)
    {
        var (version, name, secret, offered) = Handshake.DecodeHello(hello);
        Assert.Equal(FrameFormat.ProtocolVersion, version);
        return (name, secret, offered);
    }

    private static byte[] Old() => new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteString("worker").WriteString("secret").Written.ToArray();

    private static byte[] HelloWith(byte count, params string[] names)
    {
        var writer = new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteString("worker").WriteString("secret").WriteByte(count);
        foreach (var name in names)
        {
            writer.WriteString(name);
        }

        return writer.Written.ToArray();
    }
}
