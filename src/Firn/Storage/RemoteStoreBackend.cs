using System.Collections.Concurrent;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>
/// A child's store calls: each request gets an id and a pending task, goes out as a frame, and completes
/// when the reply with that id arrives. Nothing is held across the round trip, so any number of calls
/// from any number of threads are in flight at once on the one connection.
/// </summary>
internal sealed class RemoteStoreBackend : IStoreBackend
{
    private readonly ChildHost _host;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<StoreReply>> _pending = new();
    private uint _nextId;
    private volatile bool _disconnected;

    public RemoteStoreBackend(ChildHost host, TimeSpan timeout)
    {
        _host = host;
        _timeout = timeout;
        host.Register(FrameKind.StoreReply, OnReply);
    }

    /// <summary>Fails every pending call; called when the connection to the main process is gone.</summary>
    public void OnDisconnected()
    {
        _disconnected = true;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetException(Unavailable());
            }
        }
    }

    public async ValueTask<StoreReply> ExecuteAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<StoreReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        if (_disconnected || !_host.Send(FrameKind.StoreRequest, StoreCodec.EncodeRequest(id, request)))
        {
            _pending.TryRemove(id, out _);
            throw Unavailable();
        }

        try
        {
            return await reply.Task.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.Task.IsCompleted)
        {
            _pending.TryRemove(id, out _);
            throw new TimeoutException(
                $"The main process did not answer the store request {request.Operation} '{request.Key}' within {_timeout} (FirnAppOptions.CallTimeout); it may still take effect.");
        }
        catch (OperationCanceledException)
        {
            // The request may still run in the main process; only the wait is abandoned.
            _pending.TryRemove(id, out _);
            throw;
        }
    }

    private static StoreException Unavailable() =>
        new("The store is unavailable: the connection to the main process is closed.");

    private void OnReply(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var (requestId, reply) = StoreCodec.DecodeReply(body);
        if (_pending.TryRemove(requestId, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }
}
