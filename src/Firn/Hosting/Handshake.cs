using Firn.Channels;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>The bodies of the handshake frames, in one place so both sides agree.</summary>
internal static class Handshake
{
    /// <summary>Hello: protocol version, process name, secret.</summary>
    public static byte[] EncodeHello(string processName, string secret) =>
        new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteString(processName).WriteString(secret).Written.ToArray();

    public static (ushort Version, string ProcessName, string Secret) DecodeHello(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        return (reader.ReadUInt16(), reader.ReadString(), reader.ReadString());
    }

    /// <summary>Welcome: protocol version, message size limit, send window, and the bytes of messages the child may have waiting in the router.</summary>
    public static byte[] EncodeWelcome(int maxMessageSize, int sendWindow, int pendingBytesLimit) =>
        new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteUInt32((uint)maxMessageSize).WriteUInt32((uint)sendWindow).WriteUInt32((uint)pendingBytesLimit).Written.ToArray();

    /// <summary>
    /// A Welcome that also carries the child's built-in channels, already opened for it, so that the child needs no
    /// round trip for them: each is its channel id and a closed flag (the active channel, then the passive one).
    /// </summary>
    public static byte[] EncodeWelcome(int maxMessageSize, int sendWindow, int pendingBytesLimit, ChannelBinding active, ChannelBinding passive) =>
        new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteUInt32((uint)maxMessageSize).WriteUInt32((uint)sendWindow).WriteUInt32((uint)pendingBytesLimit)
            .WriteUInt32(active.ChannelId).WriteByte(active.IsClosed ? (byte)1 : (byte)0)
            .WriteUInt32(passive.ChannelId).WriteByte(passive.IsClosed ? (byte)1 : (byte)0).Written.ToArray();

    /// <summary>The built-in channels a Welcome carries (channel id and closed flag of each), or <see langword="null"/> if it carries none.</summary>
    public static ((uint Id, bool IsClosed) Active, (uint Id, bool IsClosed) Passive)? DecodeWelcomeChannels(ReadOnlySpan<byte> body)
    {
        const int FixedLength = 14;
        if (body.Length <= FixedLength)
        {
            return null;
        }

        var reader = new BodyReader(body[FixedLength..]);
        var active = (reader.ReadUInt32(), reader.ReadByte() != 0);
        var passive = (reader.ReadUInt32(), reader.ReadByte() != 0);
        return (active, passive);
    }

    public static (ushort Version, int MaxMessageSize, int SendWindow, int PendingBytesLimit) DecodeWelcome(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        return (reader.ReadUInt16(), ToInt(reader.ReadUInt32()), ToInt(reader.ReadUInt32()), ToInt(reader.ReadUInt32()));
    }

    private static int ToInt(uint value) => value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"a handshake field of {value} is out of range");

    public static byte[] EncodeReject(string reason) => new BodyWriter().WriteText(reason).Written.ToArray();

    public static string DecodeReject(ReadOnlySpan<byte> body) => new BodyReader(body).ReadString();
}
