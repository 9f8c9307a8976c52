using Firn.Failures;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>
/// A child's store calls: each request waits in a <see cref="PendingRequests{TEntry}"/>, goes out as a frame, and completes
/// when the reply with its id arrives. Nothing is held across the round trip, so any number of calls from any number of
/// threads are in flight at once on the one connection.
/// </summary>
internal sealed class RemoteStoreBackend : IStoreBackend, IDisposable
{
    private readonly IMainConnection _host;
    private readonly TimeSpan _timeout;
    private readonly PendingRequests<PendingStoreRequest> _pending = new(static pending => FirnErrors.StoreTimedOut(pending.Request.Operation.ToString(), pending.Request.Key, pending.Timeout));

    public RemoteStoreBackend(IMainConnection host, TimeSpan timeout)
    {
        _host = host;
        _timeout = timeout;
        host.Register(FrameKind.StoreReply, OnReply);
    }

    public void Dispose() => _pending.Dispose();

    /// <summary>Fails every pending call, and every later one; called when the connection to the main process is gone.</summary>
    public void OnDisconnected(DisconnectReason reason) =>
        _pending.FailAll(pending => FirnErrors.Disconnected(reason, $"The store request {pending.Request.Operation} '{pending.Request.Key}' failed"));

    public async ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var reply = new PendingStoreRequest(request);
        var id = _pending.Add(reply, _timeout);
        bool queued;
        try
        {
            // A large value waits for room in this child's own buffer rather than overflowing it.
            queued = await _host.SendWhenRoomAsync(FrameKind.StoreRequest, StoreCodec.EncodeRequest(id, request), default, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending.Remove(id);
            throw;
        }

        if (!queued)
        {
            _pending.Remove(id);
            throw _host.DisconnectedError($"The store request {request.Operation} '{request.Key}' failed");
        }

        // A cancelled wait abandons only the wait: the request may still run in the main process.
        return await _pending.WaitAsync(id, reply, reply.Task, cancellationToken).ConfigureAwait(false);
    }

    private void OnReply(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var (requestId, reply) = StoreCodec.DecodeReply(body);
        if (_pending.TryTake(requestId, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }
}

/// <summary>A store request waiting for its reply.</summary>
internal sealed class PendingStoreRequest(StoreRequest request) : PendingReply<StoreReply>
{
    public StoreRequest Request { get; } = request;
}
