using Firn.Transport;

namespace Firn.Tests.Support;

/// <summary>Frames as bytes on the wire, for tests that play a peer: encodes one, or splits a stream into the frames it holds.</summary>
internal static class Frames
{
    /// <summary>One frame: the header for <paramref name="kind"/> and the body's length, then <paramref name="body"/>.</summary>
    public static byte[] Encode(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var frame = new byte[FrameFormat.HeaderSize + body.Length];
        FrameFormat.WriteHeader(frame, kind, body.Length);
        body.CopyTo(frame.AsSpan(FrameFormat.HeaderSize));
        return frame;
    }

    /// <summary>Splits <paramref name="stream"/> into the frames it holds, asserting it holds only whole frames.</summary>
    public static List<(FrameKind Kind, byte[] Body)> Parse(byte[] stream)
    {
        var frames = new List<(FrameKind, byte[])>();
        var offset = 0;
        while (offset < stream.Length)
        {
            var status = FrameDecoder.TryDecode(stream.AsSpan(offset), int.MaxValue, out var kind, out var bodyLength, out var frameLength);
            Assert.Equal(DecodeStatus.Frame, status);
            frames.Add((kind, stream.AsSpan(offset + FrameFormat.HeaderSize, (int)bodyLength).ToArray()));
            offset += (int)frameLength;
        }

        return frames;
    }
}
