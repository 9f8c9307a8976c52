namespace Firn.Benchmarks.Harness;

/// <summary>The message bytes every contestant sends: the same 64-character string, or the same byte arrays for the size sweep.</summary>
internal static class Payload
{
    /// <summary>The 64-byte message of B1, B2, B3, B5 and B8 (64 ASCII characters; 64 bytes in UTF-8).</summary>
    public const string Text64 = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789ABCDEF";

    /// <summary>The message of B1/B2 as bytes, for the peers that send bytes.</summary>
    public static byte[] Text64Bytes { get; } = System.Text.Encoding.ASCII.GetBytes(Text64);

    /// <summary>A deterministic array of <paramref name="size"/> bytes (the sweep's message).</summary>
    public static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)('a' + (i % 26));
        }

        return bytes;
    }
}
