using System.Buffers.Binary;

namespace Firn.Fuzzing;

/// <summary>
/// Payloads and fields built to hurt a reader: MessagePack values whose headers announce far more than they hold,
/// nesting past any sane depth, extension and typeless markers, and strings that are not UTF-8. Each is small on the
/// wire; a reader that trusts it allocates gigabytes, recurses until the stack ends, or picks a .NET type from it.
/// </summary>
internal static class Bombs
{
    /// <summary>MessagePack values, by name, each complete and small.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> MessagePack { get; } =
    [
        ("array 32 announcing 2^32-1 items", [0xDD, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("array 32 announcing 2^31-1 items", [0xDD, 0x7F, 0xFF, 0xFF, 0xFF, 0xC0]),
        ("map 32 announcing 2^32-1 pairs", [0xDF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("map 32 announcing 2^30 pairs", [0xDF, 0x40, 0x00, 0x00, 0x00, 0x01, 0x02]),
        ("str 32 announcing 4 GiB", [0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 0x41]),
        ("bin 32 announcing 4 GiB", [0xC6, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]),
        ("ext 32 announcing 4 GiB", [0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ("typeless extension naming System.Diagnostics.Process", TypelessExtension("System.Diagnostics.Process, System")),
        ("LZ4 block extension", [0xC7, 0x05, 0x63, 0xD2, 0x00, 0x00, 0x10, 0x00, 0xFF]),
        ("LZ4 block array extension", [0x92, 0xC7, 0x05, 0x62, 0xD2, 0x00, 0x00, 0x10, 0x00, 0xC4, 0x01, 0xFF]),
        ("timestamp extension of the wrong length", [0xC7, 0x03, 0xFF, 0x00, 0x00, 0x00]),
        ("never-used code 0xC1", [0xC1]),
        ("100,000 nested arrays", Nested(0x91, 100_000)),
        ("100,000 nested maps", NestedMaps(100_000)),
        ("truncated after a header", [0x93, 0x01]),
        ("empty", []),
    ];

    /// <summary>A typeless-resolver extension (code 100) whose body names a .NET type; a safe reader never looks it up.</summary>
    public static byte[] TypelessExtension(string typeName)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(typeName);
        byte[] header = [0xC7, (byte)(name.Length + 2), 100, (byte)(0xA0 | Math.Min(name.Length, 31))];
        return [.. header, .. name.AsSpan(0, Math.Min(name.Length, 31)), 0xC0];
    }

    /// <summary><paramref name="depth"/> one-element containers of <paramref name="code"/>, ending in nil.</summary>
    public static byte[] Nested(byte code, int depth)
    {
        var bytes = new byte[depth + 1];
        bytes.AsSpan(0, depth).Fill(code);
        bytes[depth] = 0xC0;
        return bytes;
    }

    /// <summary><paramref name="depth"/> maps, each <c>{"a": ...}</c>, ending in nil.</summary>
    public static byte[] NestedMaps(int depth)
    {
        var bytes = new byte[(depth * 3) + 1];
        for (var i = 0; i < depth; i++)
        {
            bytes[i * 3] = 0x81;
            bytes[(i * 3) + 1] = 0xA1;
            bytes[(i * 3) + 2] = (byte)'a';
        }

        bytes[^1] = 0xC0;
        return bytes;
    }

    /// <summary>An array of <paramref name="count"/> empty maps: one byte each on the wire, a dictionary each when read as object.</summary>
    public static byte[] EmptyMaps(int count)
    {
        var bytes = new byte[5 + count];
        bytes[0] = 0xDD;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), count);
        bytes.AsSpan(5).Fill(0x80);
        return bytes;
    }

    /// <summary>
    /// A store Set whose type name is <paramref name="length"/> bytes of 0xFF: not UTF-8. A lenient reader turns each
    /// byte into U+FFFD, three bytes when written again, so the name no longer fits a protocol string.
    /// </summary>
    public static byte[] SetWithInvalidUtf8TypeName(uint requestId, string key, int length) =>
        ChildFrames.Frame(Transport.FrameKind.StoreRequest, new Transport.BodyWriter()
            .WriteUInt32(requestId)
            .WriteByte((byte)Storage.StoreOperation.Set)
            .WriteString(key)
            .WriteUInt16((ushort)length)
            .WriteBytes(Enumerable.Repeat((byte)0xFF, length).ToArray())
            .WriteInt64(0)
            .WriteInt64(0)
            .WriteUInt32(0)
            .WriteBytes([0xC0])
            .Written);

    /// <summary>
    /// Argument blocks that lie about their size, by name; the main process must refuse each before relaying it.
    /// </summary>
    public static IReadOnlyList<(string Name, byte[] Block)> ArgumentBlocks { get; } =
    [
        ("count 65535 with no arguments", [0xFF, 0xFF]),
        ("count 65 (over the limit of 64)", [.. new byte[] { 65, 0 }, .. Enumerable.Repeat(new byte[] { 0, 0, 0, 0 }, 65).SelectMany(b => b)]),
        ("one argument announcing 4 GiB", [1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0]),
        ("one argument announcing 2 GiB", [1, 0, 0x00, 0x00, 0x00, 0x80, 0xC0]),
        ("two arguments whose lengths overflow a 32-bit sum", [2, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0xC0, 0x02, 0x00, 0x00, 0x80, 0xC0]),
        ("count 2 with one argument", [2, 0, 1, 0, 0, 0, 0xC0]),
        ("a length cut short", [1, 0, 1, 0]),
        ("a count cut short", [1]),
        ("bytes after the last argument", [1, 0, 1, 0, 0, 0, 0xC0, 0xC0]),
    ];

    /// <summary>Error outcomes (the body of a failed RpcResult after its status) that are not four whole strings.</summary>
    public static IReadOnlyList<(string Name, byte[] Outcome)> ErrorOutcomes { get; } =
    [
        ("empty", []),
        ("three strings", ChildFrames.RpcErrorOutcome("p", "T", "m", string.Empty)[..^2]),
        ("a string announcing 65535 bytes", [0xFF, 0xFF, 0x41]),
        ("a string cut in its length", [0x01]),
        ("four strings, the last cut short", [.. ChildFrames.RpcErrorOutcome("p", "T", "m", string.Empty)[..^2], 0x05, 0x00, 0x41]),
    ];
}
