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
            _router.Send(Peer(session), channelId, ReceivedBody.Keep(reader.Remaining));
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

        var create = (flags & OpenFlags.OnlyIfExists) == 0;
        if (_router.Engine is not null)
        {
            // A shared channel may need the engine's answer: the child waits for this reply by its request id alone.
            _ = ReplyLaterAsync(session, requestId, name, typeName, create);
            return;
        }

        ChannelBinding? opened;
        try
        {
            opened = _router.Open(Peer(session), name, typeName, create);
        }
        catch (Exception ex) when (ex is ChannelTypeMismatchException or ChannelLimitException or ArgumentException)
        {
            Reply(session, requestId, null, ex);
            return;
        }

        Reply(session, requestId, opened, null);
    }

    private async Task ReplyLaterAsync(IPeerSession session, uint requestId, string name, string typeName, bool create)
    {
        ChannelBinding? opened = null;
        Exception? failure = null;
        try
        {
            opened = await _router.OpenAsync(Peer(session), name, typeName, create).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        try
        {
            Reply(session, requestId, opened, failure);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The child left while its channel was being declared: nobody waits for the reply.
        }
    }

    private static void Reply(IPeerSession session, uint requestId, ChannelBinding? opened, Exception? failure)
    {
        var reply = new BodyWriter().WriteUInt32(requestId);
        switch (failure)
        {
            case null when opened is { } binding:
                reply.WriteByte(OpenStatus.Opened).WriteUInt32(binding.ChannelId).WriteByte(binding.IsClosed ? (byte)1 : (byte)0);
                break;
            case null:
                reply.WriteByte(OpenStatus.NotFound);
                break;
            case ChannelTypeMismatchException:
                reply.WriteByte(OpenStatus.TypeMismatch).WriteText(failure.Message);
                break;
            case ArgumentException:
                reply.WriteByte(OpenStatus.BadName).WriteText(failure.Message);
                break;
            default:
                // The limit, or (a shared channel) its backend out of reach: the protocol has no status of its own for
                // the latter, and the child raises a FirnException with the message, which names the backend.
                reply.WriteByte(OpenStatus.LimitReached).WriteText(failure.Message);
                break;
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
