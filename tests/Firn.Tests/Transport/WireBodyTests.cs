using Firn.Channels;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>Control frame bodies: what <see cref="BodyWriter"/> writes, <see cref="BodyReader"/> reads back, and a short body never reads past its end.</summary>
public sealed class WireBodyTests
{
    [Fact]
    public void Every_field_round_trips_through_writer_and_reader()
    {
        var writer = new BodyWriter()
            .WriteUInt32(0)
            .WriteUInt32(uint.MaxValue)
            .WriteUInt32(0x01020304)
            .WriteUInt16(0)
            .WriteUInt16(ushort.MaxValue)
            .WriteByte(0)
            .WriteByte(byte.MaxValue)
            .WriteString(string.Empty)
            .WriteString("worker-1")
            .WriteString("ünïcødé ✓ 🙂")
            .WriteBytes([])
            .WriteBytes([1, 2, 3]);

        var reader = new BodyReader(writer.Written);

        Assert.Equal(0u, reader.ReadUInt32());
        Assert.Equal(uint.MaxValue, reader.ReadUInt32());
        Assert.Equal(0x01020304u, reader.ReadUInt32());
        Assert.Equal(0, reader.ReadUInt16());
        Assert.Equal(ushort.MaxValue, reader.ReadUInt16());
        Assert.Equal(0, reader.ReadByte());
        Assert.Equal(byte.MaxValue, reader.ReadByte());
        Assert.Equal(string.Empty, reader.ReadString());
        Assert.Equal("worker-1", reader.ReadString());
        Assert.Equal("ünïcødé ✓ 🙂", reader.ReadString());
        Assert.Equal(0, reader.ReadBytes(0).Length);
        Assert.Equal([1, 2, 3], reader.ReadBytes(3).ToArray());
        Assert.Equal(0, reader.Remaining.Length);
    }

    [Fact]
    public void Integers_are_little_endian_and_strings_have_a_two_byte_length()
    {
        var written = new BodyWriter().WriteUInt32(0x04030201).WriteUInt16(0x0605).WriteString("ab").Written.ToArray();

        Assert.Equal([1, 2, 3, 4, 5, 6, 2, 0, (byte)'a', (byte)'b'], written);
    }

    [Fact]
    public void Remaining_is_what_follows_the_fields_read()
    {
        var body = new BodyWriter().WriteUInt32(42).WriteBytes([9, 8, 7]).Written.ToArray();
        var reader = new BodyReader(body);

        Assert.Equal(42u, reader.ReadUInt32());
        Assert.Equal([9, 8, 7], reader.Remaining.ToArray());
    }

    [Fact]
    public void Writer_grows_past_its_initial_buffer()
    {
        var big = new string('x', 40_000);
        var largest = new string('y', ushort.MaxValue);
        var writer = new BodyWriter();
        for (var i = 0; i < 1000; i++)
        {
            writer.WriteUInt32((uint)i);
        }

        writer.WriteString(big).WriteString(largest);

        var reader = new BodyReader(writer.Written);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal((uint)i, reader.ReadUInt32());
        }

        Assert.Equal(big, reader.ReadString());
        Assert.Equal(largest, reader.ReadString());
        Assert.Equal(0, reader.Remaining.Length);
    }

    [Fact]
    public void Writer_refuses_a_string_longer_than_a_two_byte_length_can_say()
    {
        var tooLong = new string('x', ushort.MaxValue + 1);

        var error = Assert.Throws<ArgumentException>(() => new BodyWriter().WriteString(tooLong));
        Assert.Contains("65535", error.Message, StringComparison.Ordinal);

        // The limit counts UTF-8 bytes, not characters.
        Assert.Throws<ArgumentException>(() => new BodyWriter().WriteString(new string('é', (ushort.MaxValue / 2) + 1)));
    }

    [Fact]
    public void Reader_throws_a_protocol_violation_on_every_truncation_of_a_body_of_all_field_kinds()
    {
        var body = new BodyWriter()
            .WriteUInt32(7)
            .WriteUInt16(8)
            .WriteByte(9)
            .WriteString("channel-name")
            .WriteBytes([1, 2, 3, 4])
            .Written.ToArray();

        static void ReadAll(ReadOnlySpan<byte> input)
        {
            var reader = new BodyReader(input);
            reader.ReadUInt32();
            reader.ReadUInt16();
            reader.ReadByte();
            reader.ReadString();
            reader.ReadBytes(4);
        }

        ReadAll(body);
        for (var length = 0; length < body.Length; length++)
        {
            var truncated = body[..length];
            var error = Assert.Throws<ProtocolViolationException>(() => ReadAll(truncated));
            Assert.Contains("ended early", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reader_throws_a_protocol_violation_on_every_truncation_of_a_hello()
    {
        // Without capabilities (a Hello of a child older than them): every shorter body is cut inside a field.
        var hello = Handshake.EncodeHello("worker", "0123456789abcdef", Capabilities.None);
        Assert.Equal((FrameFormat.ProtocolVersion, "worker", "0123456789abcdef", Capabilities.None), Handshake.DecodeHello(hello));

        for (var length = 0; length < hello.Length; length++)
        {
            var truncated = hello[..length];
            Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeHello(truncated));
        }
    }

    [Fact]
    public void A_welcome_may_carry_the_childs_built_in_channels_and_a_truncated_list_is_a_protocol_violation()
    {
        var welcome = Handshake.EncodeWelcome(16 * 1024 * 1024, 1024, 256 * 1024 * 1024, new ChannelBinding(7, 1024, false), new ChannelBinding(8, 1024, true));
        Assert.Equal((FrameFormat.ProtocolVersion, 16 * 1024 * 1024, 1024, 256 * 1024 * 1024), Handshake.DecodeWelcome(welcome));
        Assert.Equal(((7u, false), (8u, true)), Handshake.DecodeWelcomeChannels(welcome));
        Assert.Null(Handshake.DecodeWelcomeChannels(Handshake.EncodeWelcome(1024, 16, 1024)));
        for (var length = 15; length < welcome.Length; length++)
        {
            var truncated = welcome[..length];
            Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeWelcomeChannels(truncated));
        }
    }

    [Fact]
    public void Reader_throws_a_protocol_violation_on_every_truncation_of_a_welcome_and_a_reject()
    {
        var welcome = Handshake.EncodeWelcome(16 * 1024 * 1024, 1024, 256 * 1024 * 1024);
        Assert.Equal((FrameFormat.ProtocolVersion, 16 * 1024 * 1024, 1024, 256 * 1024 * 1024), Handshake.DecodeWelcome(welcome));
        for (var length = 0; length < welcome.Length; length++)
        {
            var truncated = welcome[..length];
            Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeWelcome(truncated));
        }

        var reject = Handshake.EncodeReject("no process named 'x' is declared");
        Assert.Equal("no process named 'x' is declared", Handshake.DecodeReject(reject));
        for (var length = 0; length < reject.Length; length++)
        {
            var truncated = reject[..length];
            Assert.Throws<ProtocolViolationException>(() => Handshake.DecodeReject(truncated));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0x41, 0xF8, 0x88, 0x80, 0x80, 0x80 })]
    public void Reader_refuses_a_string_that_is_not_UTF_8(byte[] bytes)
    {
        var body = new BodyWriter().WriteUInt16((ushort)bytes.Length).WriteBytes(bytes).Written.ToArray();

        var thrown = Assert.Throws<ProtocolViolationException>(() => new BodyReader(body).ReadString());

        Assert.Contains("not valid UTF-8", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_a_string_can_hold_is_cut_at_a_character_boundary()
    {
        // 'é' is two bytes and '🙂' four: no cut at 65,535 bytes can fall on a boundary by accident.
        var text = "é" + string.Concat(Enumerable.Repeat("🙂", 20_000));

        var body = new BodyWriter().WriteText(text).WriteByte(7).Written.ToArray();

        var reader = new BodyReader(body);
        var read = reader.ReadString();
        Assert.Equal(7, reader.ReadByte());
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(read) is > ushort.MaxValue - 4 and <= ushort.MaxValue);
        Assert.StartsWith(read, text, StringComparison.Ordinal);
        Assert.Equal("short", new BodyReader(new BodyWriter().WriteText("short").Written).ReadString());
    }

    [Fact]
    public void Reader_refuses_a_string_whose_length_runs_past_the_body()
    {
        byte[] body = [0xFF, 0xFF, (byte)'a', (byte)'b'];

        var error = Assert.Throws<ProtocolViolationException>(() => new BodyReader(body).ReadString());
        Assert.Contains("65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_refuses_to_read_bytes_past_the_end_and_keeps_its_position()
    {
        byte[] body = [1, 2, 3];
        var reader = new BodyReader(body);
        Assert.Equal(1, reader.ReadByte());

        var threw = false;
        try
        {
            reader.ReadBytes(3);
        }
        catch (ProtocolViolationException)
        {
            threw = true;
        }

        Assert.True(threw);
        Assert.Equal([2, 3], reader.Remaining.ToArray());
        Assert.Equal(0x0302, reader.ReadUInt16());
    }
}
