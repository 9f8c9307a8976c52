using Firn.Serialization;

namespace Firn.Storage;

/// <summary>The arithmetic of Increment on a stored value, shared by every store engine so that each refuses the same way.</summary>
internal static class StoreIncrement
{
    /// <summary>The type name of the values Increment works on.</summary>
    public const string Int64TypeName = "System.Int64";

    /// <summary>
    /// The value after adding <paramref name="delta"/> to the stored one (<paramref name="typeName"/>,
    /// <paramref name="payload"/>); <see langword="null"/> when it could, else the refusal.
    /// </summary>
    public static StoreReply? TryAdd(IFirnSerializer serializer, string key, string typeName, byte[] payload, long delta, out long value)
    {
        value = 0;
        if (!string.Equals(typeName, Int64TypeName, StringComparison.Ordinal))
        {
            return new StoreReply(StoreStatus.TypeMismatch)
            {
                Text = $"Key '{key}' holds {typeName}; Increment works on {Int64TypeName} values (set them as long, or start with Increment).",
            };
        }

        long stored;
        try
        {
            stored = serializer.Deserialize<long>(payload);
        }
#pragma warning disable CA1031 // Any process may have written these bytes: whatever reading them throws fails this increment only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return StoreReply.Error(
                $"Key '{key}' holds {payload.Length} bytes stored as {Int64TypeName} that do not read as one ({ex.Message}); the process that wrote them used the wrong type name. Overwrite or delete the key.");
        }

        try
        {
            value = checked(stored + delta);
            return null;
        }
        catch (OverflowException)
        {
            return StoreReply.Error($"Incrementing key '{key}' by {delta} overflows a 64-bit integer.");
        }
    }

    /// <summary>A counter's bytes.</summary>
    public static byte[] Serialize(IFirnSerializer serializer, long value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(9);
        serializer.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }
}
