namespace Firn.Transport;

/// <summary>Copies of received bytes that a message keeps.</summary>
internal static class ByteArrays
{
    /// <summary>
    /// A new array holding <paramref name="bytes"/>: as <c>ToArray()</c>, without first zeroing the array it overwrites
    /// at once (for a large message, that zeroing was a pass over memory as costly as the copy).
    /// </summary>
    public static byte[] Copy(ReadOnlySpan<byte> bytes)
    {
        var copy = GC.AllocateUninitializedArray<byte>(bytes.Length);
        bytes.CopyTo(copy);
        return copy;
    }
}
