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

    public static (ushort Version, int MaxMessageSize, int SendWindow, int PendingBytesLimit) DecodeWelcome(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        return (reader.ReadUInt16(), ToInt(reader.ReadUInt32()), ToInt(reader.ReadUInt32()), ToInt(reader.ReadUInt32()));
    }

    private static int ToInt(uint value) => value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"a handshake field of {value} is out of range");

    public static byte[] EncodeReject(string reason) => new BodyWriter().WriteString(reason).Written.ToArray();

    public static string DecodeReject(ReadOnlySpan<byte> body) => new BodyReader(body).ReadString();
}
