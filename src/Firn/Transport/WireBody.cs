using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Firn.Transport;

/// <summary>Reads the fields of a frame body; every read checks bounds and throws <see cref="ProtocolViolationException"/> on short input.</summary>
internal ref struct BodyReader
{
    /// <summary>
    /// Strict UTF-8: a string that is not valid UTF-8 is refused rather than read with U+FFFD in place of each bad
    /// byte, which would make it up to three times longer when written again (and too long for a reply).
    /// </summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _body;
    private int _position;

    public BodyReader(ReadOnlySpan<byte> body)
    {
        _body = body;
        _position = 0;
    }

    public readonly ReadOnlySpan<byte> Remaining => _body[_position..];

    public uint ReadUInt32()
    {
        Require(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>A count (credits, items): a 32-bit field the peer must keep within <see cref="int.MaxValue"/>.</summary>
    public int ReadCount()
    {
        var value = ReadUInt32();
        return value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"count {value} is out of range");
    }

    public long ReadInt64()
    {
        Require(8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_body[_position..]);
        _position += 8;
        return value;
    }

    public ushort ReadUInt16()
    {
        Require(2);
        var value = BinaryPrimitives.ReadUInt16LittleEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public byte ReadByte()
    {
        Require(1);
        return _body[_position++];
    }

    /// <summary>Reads a string written by <see cref="BodyWriter.WriteString"/>: a 2-byte length, then UTF-8.</summary>
    public string ReadString()
    {
        int length = ReadUInt16();
        Require(length);
        string value;
        try
        {
            value = StrictUtf8.GetString(_body.Slice(_position, length));
        }
        catch (DecoderFallbackException ex)
        {
            throw new ProtocolViolationException($"A string of {length} bytes at offset {_position} is not valid UTF-8.", ex);
        }

        _position += length;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int length)
    {
        Require(length);
        var value = _body.Slice(_position, length);
        _position += length;
        return value;
    }

    private readonly void Require(int count)
    {
        if (_body.Length - _position < count)
        {
            throw new ProtocolViolationException($"Frame body ended early: needed {count} more bytes at offset {_position} of {_body.Length}.");
        }
    }
}

/// <summary>Builds a small frame body (control frames); channel payloads do not go through it.</summary>
internal sealed class BodyWriter
{
    private byte[] _buffer = new byte[64];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>Empties the writer so it can build another body.</summary>
    public BodyWriter Clear()
    {
        Length = 0;
        return this;
    }

    public BodyWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);
        return this;
    }

    public BodyWriter WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value);
        return this;
    }

    public BodyWriter WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);
        return this;
    }

    public BodyWriter WriteByte(byte value)
    {
        Grow(1)[0] = value;
        return this;
    }

    /// <summary>
    /// Writes a name or other exact string: a 2-byte length, then strict UTF-8. A lone surrogate has no UTF-8 encoding
    /// and is refused (with nothing written) rather than sent as U+FFFD, which would read as another string.
    /// </summary>
    public BodyWriter WriteString(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (byteCount > ushort.MaxValue)
        {
            throw new ArgumentException($"A protocol string is at most {ushort.MaxValue} UTF-8 bytes; this one is {byteCount}.", nameof(value));
        }

        WriteUInt16((ushort)byteCount);
        if (Utf8.FromUtf16(value, Grow(byteCount), out _, out _, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            Length -= 2 + byteCount;
            WellFormedUtf16.ThrowIfIllFormed(value, "A protocol string", nameof(value));
        }

        return this;
    }

    /// <summary>
    /// Writes text meant for people (an error message, a stack trace) as a protocol string: a lone surrogate becomes
    /// U+FFFD, and text longer than a string can be is cut at a character boundary, so a message that quotes anything
    /// (a handler's exception, names from the wire) never makes the reply fail.
    /// </summary>
    public BodyWriter WriteText(string value)
    {
        var lengthAt = Length;
        WriteUInt16(0);
        var room = Math.Min(Encoding.UTF8.GetByteCount(value), ushort.MaxValue);
        Utf8.FromUtf16(value, Grow(room), out _, out var written, replaceInvalidSequences: true);
        Length -= room - written;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(lengthAt), (ushort)written);
        return this;
    }

    public BodyWriter WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Grow(value.Length));
        return this;
    }

    private Span<byte> Grow(int count)
    {
        if (_buffer.Length - Length < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
