using Firn.Transport;

namespace Firn.Storage;

/// <summary>The main process's end of the store protocol: runs each child request on the store and answers on the same connection.</summary>
internal sealed class StoreServer
{
    private readonly KeyValueStore _store;
    private readonly int _maxMessageSize;

    public StoreServer(KeyValueStore store, int maxMessageSize, ISessionServices services)
    {
        _store = store;
        _maxMessageSize = maxMessageSize;
        services.Register(FrameKind.StoreRequest, OnRequest);
    }

    private void OnRequest(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var (requestId, request) = StoreCodec.DecodeRequest(body);
        var reply = StoreCodec.EncodeReply(requestId, _store.Execute(request));
        if (reply.Length > _maxMessageSize)
        {
            reply = StoreCodec.EncodeReply(requestId, StoreReply.Error(
                $"The answer to {request.Operation} is {reply.Length} bytes, over the message size limit of {_maxMessageSize} (FirnAppOptions.MaxMessageSize). Read keys one by one with Keys and Get."));
        }

        // A reply with no room waits on the requester's own read loop (a thread of its own): the requester's next
        // requests wait in its socket until it has read its replies. No other process waits for it; one that stops
        // reading for good is found by heartbeats, and the closing connection ends the wait.
        var queued = session.Connection.Outbound.AppendWhenRoomAsync(FrameKind.StoreReply, reply, default, CancellationToken.None);
        if (!queued.IsCompletedSuccessfully)
        {
            queued.AsTask().GetAwaiter().GetResult();
        }
    }
}
