using System.Collections.Concurrent;
using Firn.Channels;
using Firn.Failures;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Routing;

/// <summary>
/// The main process's end of the channel protocol: a child's channel frames go to the <see cref="Router"/> through the
/// <see cref="SessionRouterPeer"/> that stands for the child, and the answers go back on the same connection. The
/// child's end of the same frames is <see cref="RemoteRouterLink"/>.
/// </summary>
internal sealed class ChannelServer
{
    private readonly Router _router;
    private readonly int _maxMessageSize;
    private readonly ConcurrentDictionary<IPeerSession, SessionRouterPeer> _peers = new();

    public ChannelServer(Router router, int maxMessageSize, ISessionServices services)
    {
        _router = router;
        _maxMessageSize = maxMessageSize;
        services.Register(FrameKind.Send, (session, body) =>
        {
            var reader = new BodyReader(body);
            var channelId = reader.ReadUInt32();
            TraceEnvelope.CheckIncoming(reader.Remaining, session.Connection.Capabilities);
            _router.Send(Peer(session), channelId, ByteArrays.Copy(reader.Remaining));
        });
        services.Register(FrameKind.Ack, (session, body) =>
        {
            var reader = new BodyReader(body);
            var channelId = reader.ReadUInt32();
            _router.Ack(Peer(session), channelId, ToCount(reader.ReadUInt32()));
        });
        services.Register(FrameKind.Attach, (session, body) =>
        {
            var reader = new BodyReader(body);
            var channelId = reader.ReadUInt32();
            var window = ToCount(reader.ReadUInt32());
            _router.Attach(Peer(session), channelId, window, (ReceiveMode)reader.ReadByte());
        });
        services.Register(FrameKind.OpenChannel, OnOpenChannel);
        services.Register(FrameKind.CloseChannel, (session, body) => _router.Close(Peer(session), new BodyReader(body).ReadUInt32()));
        services.Register(FrameKind.ListChannels, OnListChannels);
        services.SessionEnded += session =>
        {
            if (_peers.TryRemove(session, out var peer))
            {
                _router.RemovePeer(peer);
            }
        };
    }

    public Router Router => _router;

    /// <summary>
    /// The router peer of a child that was just authenticated, before any of its frames is handled; the router
    /// forgets it when the session ends.
    /// </summary>
    public SessionRouterPeer Connect(IPeerSession session)
    {
        var peer = new SessionRouterPeer(session, _router);
        _peers[session] = peer;
        return peer;
    }

    /// <summary>Opens a channel for the child (its built-in channels, before its Welcome), creating it on first use.</summary>
    /// <exception cref="ChannelTypeMismatchException">The channel exists with another type.</exception>
    public ChannelBinding Open(IPeerSession session, string name, string typeName) => _router.Open(Peer(session), name, typeName);

    private SessionRouterPeer Peer(IPeerSession session) => _peers[session];

    private static int ToCount(uint value) =>
        value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"count {value} is out of range");

    private void OnOpenChannel(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var name = reader.ReadString();
        var typeName = reader.ReadString();
        var flags = reader.ReadByte();
        if ((flags & ~OpenFlags.OnlyIfExists) != 0)
        {
            throw new ProtocolViolationException($"unknown open flags {flags}");
        }

        var reply = new BodyWriter().WriteUInt32(requestId);
        try
        {
            if (_router.Open(Peer(session), name, typeName, create: (flags & OpenFlags.OnlyIfExists) == 0) is { } binding)
            {
                reply.WriteByte(OpenStatus.Opened).WriteUInt32(binding.ChannelId).WriteByte(binding.IsClosed ? (byte)1 : (byte)0);
            }
            else
            {
                reply.WriteByte(OpenStatus.NotFound);
            }
        }
        catch (ChannelTypeMismatchException ex)
        {
            reply.WriteByte(OpenStatus.TypeMismatch).WriteText(ex.Message);
        }
        catch (ChannelLimitException ex)
        {
            reply.WriteByte(OpenStatus.LimitReached).WriteText(ex.Message);
        }
        catch (ArgumentException ex)
        {
            reply.WriteByte(OpenStatus.BadName).WriteText(ex.Message);
        }

        session.Connection.Send(FrameKind.ChannelOpened, reply.Written);
    }

    private void OnListChannels(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var requestId = new BodyReader(body).ReadUInt32();
        var channels = _router.List();
        var reply = ChannelListCodec.EncodeReply(requestId, channels);
        if (reply.Length > _maxMessageSize)
        {
            reply = ChannelListCodec.EncodeError(
                requestId,
                $"The list of {channels.Count} channels is {reply.Length} bytes, over the message size limit of {_maxMessageSize} bytes (FirnAppOptions.MaxMessageSize). List the channels from the main process, or raise the limit.");
        }

        session.Connection.Send(FrameKind.ChannelList, reply);
    }
}
