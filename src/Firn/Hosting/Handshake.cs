using System.Security.Cryptography;
using Firn.Channels;
using Firn.Routing;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>
/// The instance of a declared child that its supervisor spawned and waits for: the only peer that may complete a
/// handshake as that child.
/// </summary>
/// <param name="ProcessName">The child's declared name.</param>
/// <param name="ProcessId">The pid the instance was spawned with.</param>
/// <param name="UserId">The user it must run as: the main process's own.</param>
/// <param name="Secret">The secret handed to that instance alone.</param>
internal readonly record struct ExpectedInstance(string ProcessName, int ProcessId, uint UserId, byte[] Secret);

/// <summary>The bodies of the handshake frames, in one place so both sides agree, and the checks of a Hello's proof of identity.</summary>
internal static class Handshake
{
    /// <summary>
    /// Checks that the peer of a Hello is the <paramref name="expected"/> instance: it knows the instance's secret
    /// (compared in fixed time, so the time taken tells nothing about it), and the kernel's record of the peer
    /// (<c>SO_PEERCRED</c>, which the peer cannot forge) shows the instance's pid and the main process's user.
    /// </summary>
    /// <returns>Why the peer is refused, or <see langword="null"/> if it is the expected instance.</returns>
    public static string? Verify(ExpectedInstance expected, ReadOnlySpan<byte> secret, PeerCredentials peer)
    {
        if (!CryptographicOperations.FixedTimeEquals(secret, expected.Secret))
        {
            return $"wrong secret for process '{expected.ProcessName}'";
        }

        if (peer.UserId != expected.UserId || peer.ProcessId != expected.ProcessId)
        {
            return $"the peer (pid {peer.ProcessId}, uid {peer.UserId}) is not the spawned process '{expected.ProcessName}' (pid {expected.ProcessId})";
        }

        return null;
    }

    /// <summary>Hello: protocol version, process name, secret, then the capabilities the child offers.</summary>
    public static byte[] EncodeHello(string processName, string secret, Capabilities offered = CapabilityList.Supported) =>
        CapabilityList.Write(new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteString(processName).WriteString(secret), offered).Written.ToArray();

    /// <summary>A Hello; a child older than capabilities offers none.</summary>
    public static (ushort Version, string ProcessName, string Secret, Capabilities Offered) DecodeHello(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var (version, name, secret) = (reader.ReadUInt16(), reader.ReadString(), reader.ReadString());

        // Another version may end its Hello otherwise; it is refused for its version, not for what follows.
        return (version, name, secret, version == FrameFormat.ProtocolVersion ? CapabilityList.Read(ref reader) : Capabilities.None);
    }

    /// <summary>Welcome: protocol version, message size limit, send window, and the bytes of messages the child may have waiting in the router.</summary>
    public static byte[] EncodeWelcome(int maxMessageSize, int sendWindow, int pendingBytesLimit) =>
        new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteUInt32((uint)maxMessageSize).WriteUInt32((uint)sendWindow).WriteUInt32((uint)pendingBytesLimit).Written.ToArray();

    /// <summary>
    /// A Welcome that also carries the child's built-in channels, already opened for it, so that the child needs no
    /// round trip for them: each is its channel id and a closed flag (the active channel, then the passive one).
    /// Then the capabilities in force on the connection: those of the child's Hello that the main process speaks too.
    /// </summary>
    public static byte[] EncodeWelcome(int maxMessageSize, int sendWindow, int pendingBytesLimit, ChannelBinding active, ChannelBinding passive, Capabilities agreed = Capabilities.None) =>
        CapabilityList.Write(
            new BodyWriter().WriteUInt16(FrameFormat.ProtocolVersion).WriteUInt32((uint)maxMessageSize).WriteUInt32((uint)sendWindow).WriteUInt32((uint)pendingBytesLimit)
                .WriteUInt32(active.ChannelId).WriteByte(active.IsClosed ? (byte)1 : (byte)0)
                .WriteUInt32(passive.ChannelId).WriteByte(passive.IsClosed ? (byte)1 : (byte)0),
            agreed).Written.ToArray();

    /// <summary>
    /// The capabilities a Welcome puts in force; they follow its built-in channels (a Welcome without them has none).
    /// A capability the child did not offer is a protocol violation.
    /// </summary>
    public static Capabilities DecodeWelcomeCapabilities(ReadOnlySpan<byte> body, Capabilities offered)
    {
        const int WithChannels = 24;
        if (body.Length <= WithChannels)
        {
            return Capabilities.None;
        }

        var reader = new BodyReader(body[WithChannels..]);
        var agreed = CapabilityList.Read(ref reader);
        return (agreed & ~offered) == 0 ? agreed : throw new ProtocolViolationException($"the Welcome put capabilities in force that this child did not offer ({agreed & ~offered})");
    }

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

    /// <summary>
    /// Opens a child's built-in channels for it and sends the Welcome that names them, so the child starts without a
    /// round trip for them.
    /// </summary>
    public static void SendWelcome(Connection connection, ChannelServer channels, IPeerSession session, string name, FirnAppOptions options, Capabilities offered = Capabilities.None)
    {
        // In force from here on, before anything is delivered to the child.
        connection.Capabilities = offered & CapabilityList.Offered(connection.PollWindow);
        var objectType = TypeNames.Of(typeof(object));
        var active = channels.Open(session, ChannelNames.Active(name), objectType);
        var passive = channels.Open(session, ChannelNames.Passive(name), objectType);
        connection.Send(FrameKind.Welcome, EncodeWelcome(options.MaxMessageSize, channels.Router.SendWindow, options.ConnectionBufferLimit, active, passive, connection.Capabilities));
    }
}
