using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using MessagePack;

namespace Firn.Serialization;

/// <summary>
/// The MessagePack encoding of the commonest message types (strings, byte arrays, 32- and 64-bit integers, doubles,
/// booleans), without the per-call work of resolving a formatter and renting buffers: strings and byte arrays are
/// encoded and decoded on spans here, the rest with MessagePack's own writer and reader. The bytes are exactly what
/// <see cref="MessagePackSerializer"/> produces, and whatever the span readers do not take goes to MessagePack's reader.
/// </summary>
internal static class MessagePackPrimitives
{
    private const byte Nil = 0xC0;
    private const byte FixStr = 0xA0;
    private const byte Str8 = 0xD9;
    private const byte Bin8 = 0xC4;

    /// <summary>Strings up to this many characters are encoded in one pass into room for their longest encoding.</summary>
    private const int OnePassStringLength = 4096;

    /// <summary>Whether <typeparamref name="T"/> has a fast path (decided once per type by the JIT).</summary>
    public static bool Handles<T>() =>
        typeof(T) == typeof(string) || typeof(T) == typeof(byte[]) || typeof(T) == typeof(int) || typeof(T) == typeof(long)
        || typeof(T) == typeof(double) || typeof(T) == typeof(bool);

    public static void Write<T>(IBufferWriter<byte> destination, T value)
    {
        if (typeof(T) == typeof(string))
        {
            WriteString(destination, Unsafe.As<T, string?>(ref value));
            return;
        }

        if (typeof(T) == typeof(byte[]))
        {
            WriteBytes(destination, Unsafe.As<T, byte[]?>(ref value));
            return;
        }

        var writer = new MessagePackWriter(destination);
        if (typeof(T) == typeof(int))
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
        if (typeof(T) == typeof(string) && TryReadString(data.Span, out var fastText))
        {
            return Unsafe.As<string?, T>(ref fastText);
        }

        if (typeof(T) == typeof(byte[]) && TryReadBytes(data.Span, out var fastBytes))
        {
            return Unsafe.As<byte[]?, T>(ref fastBytes);
        }

        // Anything the span readers do not take (another encoding, a truncated header) goes to MessagePack's reader,
        // which reads what it accepts and throws its own error otherwise.
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

    /// <summary>
    /// Writes a value of static type <see cref="object"/> that is a string (or null) as MessagePack writes it for
    /// <c>object</c> (the string itself, or nil); false for any other value, which MessagePack's resolvers then write.
    /// </summary>
    public static bool TryWriteObject<T>(IBufferWriter<byte> destination, T value)
    {
        if (typeof(T) != typeof(object))
        {
            return false;
        }

        var boxed = Unsafe.As<T, object?>(ref value);
        if (boxed is null)
        {
            WriteNil(destination);
            return true;
        }

        if (boxed is string text)
        {
            WriteString(destination, text);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Reads a value of static type <see cref="object"/> that is a string or nil, as MessagePack reads them for
    /// <c>object</c> (a string, or null); false for anything else, which MessagePack's resolvers then read.
    /// </summary>
    public static bool TryReadObject<T>(ReadOnlySpan<byte> data, out T? value)
    {
        value = default;
        if (typeof(T) != typeof(object) || data.IsEmpty || !IsStringOrNil(data[0]) || !TryReadString(data, out var text))
        {
            return false;
        }

        value = Unsafe.As<string?, T>(ref text);
        return true;
    }

    private static bool IsStringOrNil(byte code) => code == Nil || (code & 0xE0) == FixStr || code is Str8 or Str8 + 1 or Str8 + 2;

    /// <summary>Writes a string as MessagePack's writer does: nil, or the shortest str header, then UTF-8.</summary>
    private static void WriteString(IBufferWriter<byte> destination, string? value)
    {
        if (value is null)
        {
            WriteNil(destination);
            return;
        }

        if (value.Length > OnePassStringLength)
        {
            // Long: count first, so the buffer holds the real length rather than three bytes per character.
            var exact = Encoding.UTF8.GetByteCount(value);
            var exactHeader = HeaderSize(exact);
            var exactSpan = destination.GetSpan(exactHeader + exact);
            WriteLengthHeader(exactSpan, exact, exactHeader, FixStr, Str8);
            EncodeStrict(value, exactSpan[exactHeader..]);
            destination.Advance(exactHeader + exact);
            return;
        }

        // One pass: encode after room for the header the longest encoding would need, then move the bytes if the
        // real length takes a shorter header (as MessagePack's writer does).
        var maxLength = Encoding.UTF8.GetMaxByteCount(value.Length);
        var maxHeader = HeaderSize(maxLength);
        var span = destination.GetSpan(maxHeader + maxLength);
        var length = EncodeStrict(value, span[maxHeader..]);
        var header = HeaderSize(length);
        if (header != maxHeader)
        {
            span.Slice(maxHeader, length).CopyTo(span[header..]);
        }

        WriteLengthHeader(span, length, header, FixStr, Str8);
        destination.Advance(header + length);
    }

    /// <summary>
    /// Encodes <paramref name="value"/> as UTF-8, refusing a lone surrogate: it has no UTF-8 encoding, and MessagePack's
    /// U+FFFD in its place would deliver another string. Valid text costs what Encoding.UTF8 costs (the same transcoder).
    /// </summary>
    private static int EncodeStrict(string value, Span<byte> destination)
    {
        if (Utf8.FromUtf16(value, destination, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            Transport.WellFormedUtf16.ThrowIfIllFormed(value, "A string message", nameof(value));
        }

        return written;
    }

    /// <summary>The size of the shortest str header for a string of <paramref name="length"/> UTF-8 bytes.</summary>
    private static int HeaderSize(int length) => length <= 31 ? 1 : length <= byte.MaxValue ? 2 : length <= ushort.MaxValue ? 3 : 5;

    /// <summary>Writes bytes as MessagePack's writer does: nil, or the shortest bin header, then the bytes.</summary>
    private static void WriteBytes(IBufferWriter<byte> destination, byte[]? value)
    {
        if (value is null)
        {
            WriteNil(destination);
            return;
        }

        var length = value.Length;
        var header = length <= byte.MaxValue ? 2 : length <= ushort.MaxValue ? 3 : 5;
        var span = destination.GetSpan(header + length);
        WriteLengthHeader(span, length, header, fixCode: 0, Bin8);
        value.CopyTo(span[header..]);
        destination.Advance(header + length);
    }

    private static void WriteNil(IBufferWriter<byte> destination)
    {
        destination.GetSpan(1)[0] = Nil;
        destination.Advance(1);
    }

    /// <summary>A 1-byte fix header (<paramref name="fixCode"/> | length), or the 8-, 16- or 32-bit form (codes <paramref name="code8"/>, +1, +2).</summary>
    private static void WriteLengthHeader(Span<byte> span, int length, int header, byte fixCode, byte code8)
    {
        switch (header)
        {
            case 1:
                span[0] = (byte)(fixCode | length);
                break;
            case 2:
                span[0] = code8;
                span[1] = (byte)length;
                break;
            case 3:
                span[0] = (byte)(code8 + 1);
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
                break;
            default:
                span[0] = (byte)(code8 + 2);
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
                break;
        }
    }

    /// <summary>Reads nil or a str of any header size from a whole buffer; false when the bytes are anything else.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> data, out string? value)
    {
        value = null;
        if (data.IsEmpty)
        {
            return false;
        }

        var code = data[0];
        if (code == Nil)
        {
            return true;
        }

        int length, header;
        if ((code & 0xE0) == FixStr)
        {
            (length, header) = (code & 0x1F, 1);
        }
        else if (!TryReadLength(data, code, Str8, out length, out header))
        {
            return false;
        }

        value = Encoding.UTF8.GetString(data.Slice(header, length));
        return true;
    }

    /// <summary>Reads nil or a bin of any header size from a whole buffer; false when the bytes are anything else.</summary>
    private static bool TryReadBytes(ReadOnlySpan<byte> data, out byte[]? value)
    {
        value = null;
        if (data.IsEmpty)
        {
            return false;
        }

        if (data[0] == Nil)
        {
            return true;
        }

        if (!TryReadLength(data, data[0], Bin8, out var length, out var header))
        {
            return false;
        }

        value = Transport.ByteArrays.Copy(data.Slice(header, length));
        return true;
    }

    /// <summary>Reads an 8-, 16- or 32-bit length header (codes <paramref name="code8"/>, +1, +2) whose whole body is in <paramref name="data"/>.</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> data, byte code, byte code8, out int length, out int header)
    {
        long announced;
        if (code == code8 && data.Length >= 2)
        {
            (announced, header) = (data[1], 2);
        }
        else if (code == code8 + 1 && data.Length >= 3)
        {
            (announced, header) = (BinaryPrimitives.ReadUInt16BigEndian(data[1..]), 3);
        }
        else if (code == code8 + 2 && data.Length >= 5)
        {
            (announced, header) = (BinaryPrimitives.ReadUInt32BigEndian(data[1..]), 5);
        }
        else
        {
            (length, header) = (0, 0);
            return false;
        }

        length = (int)Math.Min(announced, int.MaxValue);
        return announced <= data.Length - header;
    }
}
