using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>
/// Bytes of a received frame that a handler keeps beyond its call. A frame too large for a connection's steady read buffer
/// is read into a <see cref="PooledBody"/> of its own; a handler that keeps most of it (a channel message's payload, a
/// call's arguments) holds a slice of that body instead of copying it, and releases it once read. Any other bytes are
/// copied, since the read buffer they are in is reused for the next frame.
/// </summary>
internal static class ReceivedBody
{
    /// <summary>The body being handled on this read thread, when it was read into a pooled body of its own.</summary>
    [ThreadStatic]
    private static PooledBody? s_current;

    /// <summary>
    /// <paramref name="bytes"/>, which must be part of the body being handled, as memory that outlives the handler: a
    /// held slice of the body when it is pooled and the bytes are at least half of it (so a small part kept does not hold
    /// a large array), else a copy. Release it with <see cref="Release"/> after its last read, or never.
    /// </summary>
    public static ReadOnlyMemory<byte> Keep(ReadOnlySpan<byte> bytes)
    {
        if (s_current is { } body && bytes.Length >= body.Length / 2 && body.GetSpan().Overlaps(bytes, out var offset)
            && offset >= 0 && offset + bytes.Length <= body.Length)
        {
            body.AddHolder();
            return body.Memory.Slice(offset, bytes.Length);
        }

        return ByteArrays.Copy(bytes);
    }

    /// <summary>Hands <paramref name="body"/>, which the caller holds, to <paramref name="handler"/>, then lets go of it.</summary>
    public static void Handle(FrameHandler handler, FrameKind kind, PooledBody body)
    {
        s_current = body;
        try
        {
            handler(kind, body.GetSpan());
        }
        finally
        {
            s_current = null;
            body.Release();
        }
    }

    /// <summary>One more holder of <paramref name="memory"/>, if it is part of a pooled body (a second reader of the same message).</summary>
    public static void AddHolder(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, PooledBody>(memory, out var body))
        {
            body.AddHolder();
        }
    }

    /// <summary>A holder of <paramref name="memory"/> is done with it; nothing for memory that is not part of a pooled body.</summary>
    public static void Release(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, PooledBody>(memory, out var body))
        {
            body.Release();
        }
    }
}
