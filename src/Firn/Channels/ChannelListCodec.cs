using Firn.Transport;

namespace Firn.Channels;

/// <summary>The body of a <see cref="FrameKind.ChannelList"/> frame: the channel registry sent to a child that asked for it.</summary>
internal static class ChannelListCodec
{
    private const byte Ok = 0;
    private const byte Failed = 1;

    public static byte[] EncodeReply(uint requestId, IReadOnlyList<ChannelInfo> channels)
    {
        var writer = new BodyWriter().WriteUInt32(requestId).WriteByte(Ok).WriteUInt32((uint)channels.Count);
        foreach (var channel in channels)
        {
            writer.WriteString(channel.Name)
                .WriteString(channel.TypeName)
                .WriteUInt32((uint)channel.Queued)
                .WriteUInt32((uint)channel.Unconsumed)
                .WriteByte(channel.IsClosed ? (byte)1 : (byte)0)
                .WriteUInt32((uint)channel.Members.Count);
            foreach (var member in channel.Members)
            {
                writer.WriteString(member.ProcessName).WriteByte((byte)member.Mode);
            }
        }

        return writer.Written.ToArray();
    }

    public static byte[] EncodeError(uint requestId, string message) =>
        new BodyWriter().WriteUInt32(requestId).WriteByte(Failed).WriteText(message).Written.ToArray();

    /// <summary>Reads a reply: the channels, or the main process's error message.</summary>
    /// <exception cref="ProtocolViolationException">The body is malformed.</exception>
    public static (uint RequestId, IReadOnlyList<ChannelInfo>? Channels, string? Error) DecodeReply(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var status = reader.ReadByte();
        if (status == Failed)
        {
            return (requestId, null, reader.ReadString());
        }

        if (status != Ok)
        {
            throw new ProtocolViolationException($"unknown channel list status {status}");
        }

        var count = reader.ReadUInt32();

        // Each entry takes at least 17 bytes, so a count the body cannot hold is refused before anything is allocated.
        if (count > (uint)reader.Remaining.Length / 17)
        {
            throw new ProtocolViolationException($"a channel list announces {count} channels in {reader.Remaining.Length} bytes");
        }

        var channels = new ChannelInfo[count];
        for (var i = 0; i < channels.Length; i++)
        {
            var name = reader.ReadString();
            var typeName = reader.ReadString();
            var queued = ReadCount(ref reader);
            var unconsumed = ReadCount(ref reader);
            var closed = reader.ReadByte() != 0;
            var memberCount = reader.ReadUInt32();
            if (memberCount > (uint)reader.Remaining.Length / 3)
            {
                throw new ProtocolViolationException($"channel '{name}' announces {memberCount} members in {reader.Remaining.Length} bytes");
            }

            var members = new ChannelMemberInfo[memberCount];
            for (var m = 0; m < members.Length; m++)
            {
                var process = reader.ReadString();
                var mode = (ReceiveMode)reader.ReadByte();
                if (!Enum.IsDefined(mode))
                {
                    throw new ProtocolViolationException($"unknown receive mode {(int)mode}");
                }

                members[m] = new ChannelMemberInfo(process, mode);
            }

            channels[i] = new ChannelInfo(name, typeName, members, queued, unconsumed, closed);
        }

        return (requestId, channels, null);
    }

    private static int ReadCount(ref BodyReader reader)
    {
        var value = reader.ReadUInt32();
        return value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"count {value} is out of range");
    }
}
