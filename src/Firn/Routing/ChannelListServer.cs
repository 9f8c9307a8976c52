using Firn.Channels;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Routing;

/// <summary>The main process's end of the channel listing: answers a child's <see cref="FrameKind.ListChannels"/> on the same connection.</summary>
internal sealed class ChannelListServer
{
    private readonly Router _router;
    private readonly int _maxMessageSize;

    public ChannelListServer(Router router, int maxMessageSize, MainServices services)
    {
        _router = router;
        _maxMessageSize = maxMessageSize;
        services.Register(FrameKind.ListChannels, OnRequest);
    }

    private void OnRequest(ChildSession session, ReadOnlySpan<byte> body)
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
