namespace Firn.Transport;

/// <summary>
/// Bytes of a received frame that a handler keeps beyond its call. A frame too large for a connection's steady read buffer
/// is read into an array of its own that the connection never reuses; a handler that keeps most of such a body (a channel
/// message's payload) takes a slice of that array instead of copying it. Any other bytes are copied, since the read
/// buffer they are in is reused for the next frame.
/// </summary>
internal static class ReceivedBody
{
    /// <summary>The body being handled on this read thread, when it was read into an array of its own.</summary>
    [ThreadStatic]
    private static byte[]? s_ownArray;

    /// <summary>
    /// <paramref name="bytes"/>, which must be part of the body being handled, as memory that outlives the handler: a
    /// slice of the body's own array when it has one and the bytes are at least half of it (so a small part kept does not
    /// hold a large array), else a copy.
    /// </summary>
    public static ReadOnlyMemory<byte> Keep(ReadOnlySpan<byte> bytes) =>
        s_ownArray is { } own && bytes.Length >= own.Length / 2 && own.AsSpan().Overlaps(bytes, out var offset)
            && offset >= 0 && offset + bytes.Length <= own.Length
            ? own.AsMemory(offset, bytes.Length)
            : ByteArrays.Copy(bytes);

    /// <summary>Hands <paramref name="body"/>, an array the caller will never reuse, to <paramref name="handler"/>, which may keep slices of it.</summary>
    public static void Handle(FrameHandler handler, FrameKind kind, byte[] body)
    {
        s_ownArray = body;
        try
        {
            handler(kind, body);
        }
        finally
        {
            s_ownArray = null;
        }
    }
}
