using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>The main process's end of the store protocol: runs each child request on the store engine and answers on the same connection.</summary>
internal sealed class StoreServer
{
    private readonly IStoreEngine _engine;

    // The in-memory store answers at once: its replies go out from the child's read loop, no queue, no task.
    private readonly KeyValueStore? _synchronous;
    private readonly int _maxMessageSize;
    private readonly ConcurrentDictionary<IPeerSession, StoreReplyQueue> _queues = new();

    public StoreServer(IStoreEngine engine, int maxMessageSize, ISessionServices services)
    {
        _engine = engine;
        _synchronous = engine as KeyValueStore;
        _maxMessageSize = maxMessageSize;
        services.Register(FrameKind.StoreRequest, OnRequest);
        if (_synchronous is null)
        {
            services.SessionEnded += session =>
            {
                if (_queues.TryRemove(session, out var queue))
                {
                    queue.Complete();
                }
            };
        }
    }

    private void OnRequest(IPeerSession session, ReadOnlySpan<byte> body)
    {
        var (requestId, request) = StoreCodec.DecodeRequest(body);
        if (_synchronous is not null)
        {
            Answer(session, requestId, request.Operation, _synchronous.Execute(request));
            return;
        }

        // An engine that answers later (Redis): the request is issued now, from the child's read loop, so the engine
        // gets one child's requests in their order; the child's queue answers them in that order as they complete.
        _queues.GetOrAdd(session, s => new StoreReplyQueue(s, this)).Enqueue(requestId, request.Operation, _engine.ExecuteAsync(request, CancellationToken.None));
    }

    /// <summary>Sends one reply; a reply with no room waits (see <see cref="AnswerAsync"/>).</summary>
    private void Answer(IPeerSession session, uint requestId, StoreOperation operation, StoreReply reply)
    {
        // A reply with no room waits on the requester's own read loop (a thread of its own): the requester's next
        // requests wait in its socket until it has read its replies. No other process waits for it; one that stops
        // reading for good is found by heartbeats, and the closing connection ends the wait.
        var queued = AnswerAsync(session, requestId, operation, reply);
        if (!queued.IsCompletedSuccessfully)
        {
            queued.AsTask().GetAwaiter().GetResult();
        }
    }

    private ValueTask<bool> AnswerAsync(IPeerSession session, uint requestId, StoreOperation operation, StoreReply reply)
    {
        var encoded = StoreCodec.EncodeReply(requestId, reply);
        if (encoded.Length > _maxMessageSize)
        {
            encoded = StoreCodec.EncodeReply(requestId, StoreReply.Error(
                $"The answer to {operation} is {encoded.Length} bytes, over the message size limit of {_maxMessageSize} (FirnAppOptions.MaxMessageSize). Read keys one by one with Keys and Get."));
        }

        return session.Connection.Outbound.AppendWhenRoomAsync(FrameKind.StoreReply, encoded, default, CancellationToken.None);
    }

    /// <summary>
    /// One child's requests to an engine that answers later, answered in the order they came. Bounded by the child: it
    /// has at most its in-flight calls waiting (each waits for its reply), and a reply with no room holds the queue
    /// until the child reads, as the synchronous path holds its read loop.
    /// </summary>
    private sealed class StoreReplyQueue
    {
        private readonly System.Threading.Channels.Channel<(uint Id, StoreOperation Operation, ValueTask<StoreReply> Reply)> _pending =
            System.Threading.Channels.Channel.CreateUnbounded<(uint, StoreOperation, ValueTask<StoreReply>)>(new() { SingleReader = true, SingleWriter = true });

        private readonly IPeerSession _session;
        private readonly StoreServer _server;

        public StoreReplyQueue(IPeerSession session, StoreServer server)
        {
            _session = session;
            _server = server;
            _ = Task.Run(AnswerAllAsync);
        }

        public void Enqueue(uint requestId, StoreOperation operation, ValueTask<StoreReply> reply) => _pending.Writer.TryWrite((requestId, operation, reply));

        public void Complete() => _pending.Writer.TryComplete();

        private async Task AnswerAllAsync()
        {
            await foreach (var (id, operation, pending) in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                StoreReply reply;
                try
                {
                    reply = await pending.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // An engine reports refusals as replies; anything it throws still answers this request, not the next.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    reply = StoreReply.Error($"The store failed: {ex.Message}");
                }

                try
                {
                    await _server.AnswerAsync(_session, id, operation, reply).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The connection closed: the session ends, and so does this queue.
                catch (Exception)
#pragma warning restore CA1031
                {
                    return;
                }
            }
        }
    }
}
