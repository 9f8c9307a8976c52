using Firn.Transport;

namespace Firn.Tests.Support;

/// <summary>Splits a byte stream into the frames it holds, asserting it holds only whole frames.</summary>
internal static class Frames
{
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
