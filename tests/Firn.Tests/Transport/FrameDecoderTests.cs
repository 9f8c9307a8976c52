using System.Buffers.Binary;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>Frame boundaries: every announced length around the limit and the integer edges, and arbitrary splits of a stream.</summary>
public sealed class FrameDecoderTests
{
    private const int Max = 1000;

    public static TheoryData<uint> LengthsWithinTheLimit => [0u, 1u, Max - 1, Max];

    public static TheoryData<uint> LengthsOverTheLimit => [Max + 1, (uint)int.MaxValue, 1u << 31, uint.MaxValue];

    [Theory]
    [MemberData(nameof(LengthsWithinTheLimit))]
    public void Decoder_accepts_a_whole_frame_whose_length_is_within_the_limit(uint length)
    {
        var frame = Frame(FrameKind.Send, length, fill: 0x5A);

        var status = FrameDecoder.TryDecode(frame, Max, out var kind, out var bodyLength, out var frameLength);

        Assert.Equal(DecodeStatus.Frame, status);
        Assert.Equal(FrameKind.Send, kind);
        Assert.Equal(length, bodyLength);
        Assert.Equal(FrameFormat.HeaderSize + length, frameLength);
    }

    [Theory]
    [MemberData(nameof(LengthsWithinTheLimit))]
    public void Decoder_asks_for_the_whole_frame_when_only_the_header_of_a_frame_within_the_limit_arrived(uint length)
    {
        var header = Header(FrameKind.Deliver, length);

        var status = FrameDecoder.TryDecode(header, Max, out _, out var bodyLength, out var frameLength);

        // An empty body is complete with the header alone.
        Assert.Equal(length == 0 ? DecodeStatus.Frame : DecodeStatus.NeedMore, status);
        Assert.Equal(length, bodyLength);
        Assert.Equal(FrameFormat.HeaderSize + length, frameLength);
    }

    [Theory]
    [MemberData(nameof(LengthsOverTheLimit))]
    public void Decoder_rejects_a_length_over_the_limit(uint length)
    {
        var header = Header(FrameKind.Hello, length);

        var status = FrameDecoder.TryDecode(header, Max, out _, out var bodyLength, out var frameLength);

        Assert.Equal(DecodeStatus.TooLarge, status);

        // The length is read unsigned: a hostile 0xFFFFFFFF is never negative, and header + body does not overflow.
        Assert.Equal(length, bodyLength);
        Assert.True(bodyLength > 0);
        Assert.Equal(FrameFormat.HeaderSize + (long)length, frameLength);
    }

    [Theory]
    [MemberData(nameof(LengthsOverTheLimit))]
    public void Decoder_rejects_a_length_over_the_limit_even_with_bytes_after_the_header(uint length)
    {
        var buffer = new byte[FrameFormat.HeaderSize + Max + 10];
        Header(FrameKind.Send, length).CopyTo(buffer, 0);

        Assert.Equal(DecodeStatus.TooLarge, FrameDecoder.TryDecode(buffer, Max, out _, out _, out _));
    }

    [Theory]
    [InlineData((uint)int.MaxValue - 1, "NeedMore")]
    [InlineData((uint)int.MaxValue, "NeedMore")]
    [InlineData(1u << 31, "TooLarge")]
    [InlineData(uint.MaxValue, "TooLarge")]
    public void Decoder_compares_lengths_at_the_largest_possible_limit_without_overflow(uint length, string expected)
    {
        var header = Header(FrameKind.Send, length);

        var status = FrameDecoder.TryDecode(header, int.MaxValue, out _, out var bodyLength, out var frameLength);

        Assert.Equal(expected, status.ToString());
        Assert.Equal(length, bodyLength);
        Assert.Equal(FrameFormat.HeaderSize + (long)length, frameLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Decoder_asks_for_a_whole_header_when_the_header_is_truncated(int available)
    {
        var frame = Frame(FrameKind.Send, 10, fill: 1);

        var status = FrameDecoder.TryDecode(frame.AsSpan(0, available), Max, out _, out var bodyLength, out var frameLength);

        Assert.Equal(DecodeStatus.NeedMore, status);
        Assert.Equal(0, bodyLength);
        Assert.Equal(FrameFormat.HeaderSize, frameLength);
    }

    [Fact]
    public void Decoder_asks_for_the_rest_of_a_partial_body_and_then_decodes_it()
    {
        const int length = 10;
        var frame = Frame(FrameKind.Ack, length, fill: 7);

        for (var available = FrameFormat.HeaderSize; available < frame.Length; available++)
        {
            var status = FrameDecoder.TryDecode(frame.AsSpan(0, available), Max, out _, out var bodyLength, out var frameLength);
            Assert.Equal(DecodeStatus.NeedMore, status);
            Assert.Equal(length, bodyLength);
            Assert.Equal(FrameFormat.HeaderSize + length, frameLength);
        }

        Assert.Equal(DecodeStatus.Frame, FrameDecoder.TryDecode(frame, Max, out var kind, out _, out var whole));
        Assert.Equal(FrameKind.Ack, kind);
        Assert.Equal(frame.Length, whole);
    }

    [Fact]
    public void Decoder_reports_only_the_first_frame_when_more_bytes_follow()
    {
        var stream = Frame(FrameKind.Ready, 0, 0).Concat(Frame(FrameKind.Send, 3, 9)).ToArray();

        Assert.Equal(DecodeStatus.Frame, FrameDecoder.TryDecode(stream, Max, out var kind, out var bodyLength, out var frameLength));
        Assert.Equal(FrameKind.Ready, kind);
        Assert.Equal(0, bodyLength);
        Assert.Equal(FrameFormat.HeaderSize, frameLength);
    }

    [Fact]
    public void Decoder_passes_an_unknown_kind_byte_through_for_the_handler_to_judge()
    {
        var frame = Frame((FrameKind)0xEE, 2, 0);

        Assert.Equal(DecodeStatus.Frame, FrameDecoder.TryDecode(frame, Max, out var kind, out _, out _));
        Assert.Equal((FrameKind)0xEE, kind);
    }

    [Fact]
    public void A_stream_split_at_any_byte_boundary_decodes_to_the_same_frames()
    {
        var frames = SampleFrames();
        var stream = frames.SelectMany(f => Frames.Encode(f.Kind, f.Body)).ToArray();

        // Whole, then every two-piece split, then one byte at a time.
        Assert.Equal(Describe(frames), Describe(DecodeAll([stream])));
        for (var split = 0; split <= stream.Length; split++)
        {
            var decoded = DecodeAll([stream[..split], stream[split..]]);
            Assert.True(Describe(frames).SequenceEqual(Describe(decoded)), $"split at byte {split} of {stream.Length} decoded differently");
        }

        Assert.Equal(Describe(frames), Describe(DecodeAll([.. stream.Select(b => new[] { b })])));
    }

    [Fact]
    public void A_stream_split_at_every_pair_of_byte_boundaries_decodes_to_the_same_frames()
    {
        var frames = SampleFrames().Take(5).ToList();
        var stream = frames.SelectMany(f => Frames.Encode(f.Kind, f.Body)).ToArray();
        var expected = Describe(frames);

        for (var first = 0; first <= stream.Length; first++)
        {
            for (var second = first; second <= stream.Length; second++)
            {
                var decoded = DecodeAll([stream[..first], stream[first..second], stream[second..]]);
                Assert.True(expected.SequenceEqual(Describe(decoded)), $"splits at {first} and {second} of {stream.Length} decoded differently");
            }
        }
    }

    private static List<(FrameKind Kind, byte[] Body)> SampleFrames()
    {
        var random = new Random(12345);
        byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        return
        [
            (FrameKind.Hello, RandomBytes(7)),
            (FrameKind.Ready, []),
            (FrameKind.Send, RandomBytes(1)),
            (FrameKind.Deliver, RandomBytes(4)),
            (FrameKind.Stop, []),
            (FrameKind.Send, RandomBytes(300)),
            (FrameKind.Ack, RandomBytes(8)),
            (FrameKind.Deliver, RandomBytes(Max)),
            (FrameKind.ChannelClosed, RandomBytes(4)),
        ];
    }

    /// <summary>A simple receive loop: accumulate chunks, decode every whole frame at the front, keep the rest.</summary>
    private static List<(FrameKind Kind, byte[] Body)> DecodeAll(IEnumerable<byte[]> chunks)
    {
        var decoded = new List<(FrameKind, byte[])>();
        var pending = new List<byte>();
        foreach (var chunk in chunks)
        {
            pending.AddRange(chunk);
            while (true)
            {
                var buffer = pending.ToArray();
                var status = FrameDecoder.TryDecode(buffer, Max, out var kind, out var bodyLength, out var frameLength);
                Assert.NotEqual(DecodeStatus.TooLarge, status);
                if (status == DecodeStatus.NeedMore)
                {
                    Assert.True(frameLength > buffer.Length, "NeedMore must ask for more bytes than are buffered");
                    break;
                }

                decoded.Add((kind, buffer.AsSpan(FrameFormat.HeaderSize, (int)bodyLength).ToArray()));
                pending.RemoveRange(0, (int)frameLength);
            }
        }

        Assert.Empty(pending);
        return decoded;
    }

    private static List<string> Describe(IEnumerable<(FrameKind Kind, byte[] Body)> frames) =>
        [.. frames.Select(f => $"{f.Kind}:{Convert.ToHexString(f.Body)}")];

    private static byte[] Header(FrameKind kind, uint bodyLength)
    {
        var header = new byte[FrameFormat.HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, bodyLength);
        header[4] = (byte)kind;
        return header;
    }

    private static byte[] Frame(FrameKind kind, uint bodyLength, byte fill)
    {
        var frame = new byte[FrameFormat.HeaderSize + bodyLength];
        Header(kind, bodyLength).CopyTo(frame, 0);
        frame.AsSpan(FrameFormat.HeaderSize).Fill(fill);
        return frame;
    }
}
