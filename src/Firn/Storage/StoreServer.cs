using Firn.Hosting;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>The main process's end of the store protocol: runs each child request on the store and answers on the same connection.</summary>
internal sealed class StoreServer
{
    private readonly KeyValueStore _store;
    private readonly int _maxMessageSize;

    public StoreServer(KeyValueStore store, int maxMessageSize, MainServices services)
    {
        _store = store;
        _maxMessageSize = maxMessageSize;
        services.Register(FrameKind.StoreRequest, OnRequest);
    }

    private void OnRequest(ChildSession session, ReadOnlySpan<byte> body)
    {
        var (requestId, request) = StoreCodec.DecodeRequest(body);
        var reply = StoreCodec.EncodeReply(requestId, _store.Execute(request));
        if (reply.Length > _maxMessageSize)
        {
            reply = StoreCodec.EncodeReply(requestId, StoreReply.Error(
                $"The answer to {request.Operation} is {reply.Length} bytes, over the message size limit of {_maxMessageSize} (FirnAppOptions.MaxMessageSize). Read keys one by one with Keys and Get."));
        }

        session.Connection.Send(FrameKind.StoreReply, reply);
    }
}
