using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Firn.Serialization;

/// <summary>
/// The MessagePack encoding of the commonest message types (strings, byte arrays, 32- and 64-bit integers, doubles,
/// booleans), written and read with MessagePack's own writer and reader, without the per-call work of resolving a
/// formatter and renting buffers. The bytes are exactly what <see cref="MessagePackSerializer"/> produces.
/// </summary>
internal static class MessagePackPrimitives
{
    /// <summary>Whether <typeparamref name="T"/> has a fast path (decided once per type by the JIT).</summary>
    public static bool Handles<T>() =>
        typeof(T) == typeof(string) || typeof(T) == typeof(byte[]) || typeof(T) == typeof(int) || typeof(T) == typeof(long)
        || typeof(T) == typeof(double) || typeof(T) == typeof(bool);

    public static void Write<T>(IBufferWriter<byte> destination, T value)
    {
        var writer = new MessagePackWriter(destination);
        if (typeof(T) == typeof(string))
        {
            writer.Write(Unsafe.As<T, string?>(ref value));
        }
        else if (typeof(T) == typeof(byte[]))
        {
            writer.Write(Unsafe.As<T, byte[]?>(ref value));
        }
        else if (typeof(T) == typeof(int))
        {
            writer.Write(Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long))
        {
            writer.Write(Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(double))
        {
            writer.Write(Unsafe.As<T, double>(ref value));
        }
        else
        {
            writer.Write(Unsafe.As<T, bool>(ref value));
        }

        writer.Flush();
    }

    public static T Read<T>(ReadOnlyMemory<byte> data)
    {
        var reader = new MessagePackReader(data);
        if (typeof(T) == typeof(string))
        {
            var text = reader.ReadString();
            return Unsafe.As<string?, T>(ref text);
        }

        if (typeof(T) == typeof(byte[]))
        {
            var bytes = reader.ReadBytes() is { } sequence ? sequence.ToArray() : null;
            return Unsafe.As<byte[]?, T>(ref bytes);
        }

        if (typeof(T) == typeof(int))
        {
            var number = reader.ReadInt32();
            return Unsafe.As<int, T>(ref number);
        }

        if (typeof(T) == typeof(long))
        {
            var number = reader.ReadInt64();
            return Unsafe.As<long, T>(ref number);
        }

        if (typeof(T) == typeof(double))
        {
            var number = reader.ReadDouble();
            return Unsafe.As<double, T>(ref number);
        }

        var flag = reader.ReadBoolean();
        return Unsafe.As<bool, T>(ref flag);
    }
}
