using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Storage;

/// <summary>
/// A child's store calls: each request gets an id and a pending task, goes out as a frame, and completes
/// when the reply with that id arrives. Nothing is held across the round trip, so any number of calls
/// from any number of threads are in flight at once on the one connection.
/// </summary>
internal sealed class RemoteStoreBackend : IStoreBackend, IDisposable
{
    private readonly IMainConnection _host;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly DeadlineSweep? _deadlines;
    private uint _nextId;
    private volatile bool _disconnected;

    public RemoteStoreBackend(IMainConnection host, TimeSpan timeout)
    {
        _host = host;
        _timeout = timeout;
        _deadlines = DeadlineSweep.Covers(timeout) ? new DeadlineSweep(Expire) : null;
        host.Register(FrameKind.StoreReply, OnReply);
    }

    public void Dispose() => _deadlines?.Dispose();

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
        var reply = new PendingRequest(request, _deadlines is null ? 0 : DeadlineSweep.DeadlineAfter(_timeout));
        _pending[id] = reply;
        bool queued;
        try
        {
            // A large value waits for room in this child's own buffer rather than overflowing it.
            queued = !_disconnected && await _host.SendWhenRoomAsync(FrameKind.StoreRequest, StoreCodec.EncodeRequest(id, request), default, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        if (!queued)
        {
            _pending.TryRemove(id, out _);
            throw Unavailable();
        }

        try
        {
            _deadlines?.Arm();
            return await DeadlineSweep.WaitAsync(reply.Task, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.Task.IsCompleted)
        {
            _pending.TryRemove(id, out _);
            throw TimedOut(request);
        }
        catch (OperationCanceledException)
        {
            // The request may still run in the main process; only the wait is abandoned.
            _pending.TryRemove(id, out _);
            throw;
        }
    }

    private TimeoutException TimedOut(StoreRequest request) => new(
        $"The main process did not answer the store request {request.Operation} '{request.Key}' within {_timeout} (FirnAppOptions.CallTimeout); it may still take effect.");

    /// <summary>Fails the requests whose deadline has passed; returns whether any still waits.</summary>
    private bool Expire(long now) =>
        DeadlineSweep.ExpirePassed(_pending, now, pending => pending.Deadline, (_, pending) => pending.TrySetException(TimedOut(pending.Request)));

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

/// <summary>A store request waiting for its reply, with its deadline (<see cref="Environment.TickCount64"/>; 0 when a timer watches it instead).</summary>
internal sealed class PendingRequest(StoreRequest request, long deadline) : TaskCompletionSource<StoreReply>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public StoreRequest Request { get; } = request;

    public long Deadline { get; } = deadline;
}
