namespace Firn.Transport;

/// <summary>The result of looking for one frame at the start of a buffer.</summary>
internal enum DecodeStatus
{
    /// <summary>A whole frame is there.</summary>
    Frame,

    /// <summary>More bytes are needed; <see cref="FrameDecoder.TryDecode"/> reports how many in total.</summary>
    NeedMore,

    /// <summary>The header announces a body larger than the limit; the stream cannot be trusted further.</summary>
    TooLarge,
}

/// <summary>Finds frame boundaries in a byte buffer. Pure and allocation-free, so it can be tested and fuzzed alone.</summary>
internal static class FrameDecoder
{
    /// <summary>Looks for one frame at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Received bytes, starting at a frame boundary.</param>
    /// <param name="maxBodyLength">The largest body accepted.</param>
    /// <param name="kind">The frame's kind when the result is <see cref="DecodeStatus.Frame"/>.</param>
    /// <param name="bodyLength">The announced body length (also set for <see cref="DecodeStatus.TooLarge"/>).</param>
    /// <param name="frameLength">Header plus body: bytes to consume, or bytes needed when the result is <see cref="DecodeStatus.NeedMore"/>.</param>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> buffer, int maxBodyLength, out FrameKind kind, out long bodyLength, out long frameLength)
    {
        kind = default;
        if (buffer.Length < FrameFormat.HeaderSize)
        {
            bodyLength = 0;
            frameLength = FrameFormat.HeaderSize;
            return DecodeStatus.NeedMore;
        }

        bodyLength = FrameFormat.ReadBodyLength(buffer);
        frameLength = FrameFormat.HeaderSize + bodyLength;
        if (bodyLength > maxBodyLength)
        {
            return DecodeStatus.TooLarge;
        }

        if (buffer.Length < frameLength)
        {
            return DecodeStatus.NeedMore;
        }

        kind = (FrameKind)buffer[FrameFormat.KindOffset];
        return DecodeStatus.Frame;
    }
}
