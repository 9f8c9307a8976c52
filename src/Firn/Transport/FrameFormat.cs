using System.Buffers.Binary;

namespace Firn.Transport;

/// <summary>
/// The frame layout: a 4-byte little-endian body length, one <see cref="FrameKind"/> byte, then the body.
/// The length counts the body only, so an empty body is a 5-byte frame.
/// </summary>
internal static class FrameFormat
{
    /// <summary>Where the header's <see cref="FrameKind"/> byte sits: after the 4-byte body length, which starts the frame.</summary>
    public const int KindOffset = 4;

    /// <summary>Bytes before the body: length (4) and kind (1).</summary>
    public const int HeaderSize = KindOffset + 1;

    /// <summary>The channel id that starts the body of a channel frame (messages, deliveries, counters): 4 bytes, little-endian.</summary>
    public const int ChannelIdSize = 4;

    /// <summary>The body of a counter frame (send credit, released bytes, acknowledgement): a channel id, then a 4-byte count.</summary>
    public const int CounterBodySize = ChannelIdSize + 4;

    /// <summary>Where a counter frame's count sits, from the start of the frame.</summary>
    public const int CounterCountOffset = HeaderSize + ChannelIdSize;

    /// <summary>The protocol version this build speaks; the handshake refuses any other.</summary>
    public const ushort ProtocolVersion = 1;

    /// <summary>The default largest body a peer may send: 16 MiB plus room for the channel id.</summary>
    public const int DefaultMaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// Room for what travels with a message in one frame (channel id, key, topic, type name): a frame body
    /// may be this much larger than <c>FirnAppOptions.MaxMessageSize</c>.
    /// </summary>
    public const int EnvelopeAllowance = 64 * 1024;

    /// <summary>Writes a frame header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, FrameKind kind, int bodyLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)bodyLength);
        destination[KindOffset] = (byte)kind;
    }

    /// <summary>Reads the body length a header announces (unsigned, so a hostile value is never negative).</summary>
    public static uint ReadBodyLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header);
}
