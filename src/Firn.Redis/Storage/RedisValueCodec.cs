using System.Buffers.Binary;
using System.Text;

namespace Firn.Redis.Storage;

/// <summary>
/// A value as Redis holds it: the type name's UTF-8 length (2 bytes, big-endian), the type name, then the serialized
/// bytes: the type name and bytes the in-memory store keeps, so reads and refusals are the same. A publication is encoded the same way.
/// </summary>
internal static class RedisValueCodec
{
    public static byte[] Encode(string typeName, ReadOnlySpan<byte> payload)
    {
        var nameLength = Encoding.UTF8.GetByteCount(typeName);
        var value = new byte[2 + nameLength + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(value, checked((ushort)nameLength));
        Encoding.UTF8.GetBytes(typeName, value.AsSpan(2));
        payload.CopyTo(value.AsSpan(2 + nameLength));
        return value;
    }

    /// <summary>The type name and bytes; a value no Firn process wrote reads as type <c>?</c> with all its bytes.</summary>
    public static (string TypeName, byte[] Payload) Decode(ReadOnlySpan<byte> value)
    {
        var nameLength = value.Length < 2 ? int.MaxValue : BinaryPrimitives.ReadUInt16BigEndian(value);
        if (nameLength > value.Length - 2)
        {
            return ("?", value.ToArray());
        }

        return (Encoding.UTF8.GetString(value.Slice(2, nameLength)), value[(2 + nameLength)..].ToArray());
    }
}
