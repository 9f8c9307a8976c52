using System.Collections.Concurrent;
using Firn.Channels;
using Firn.Meters;
using Firn.Serialization;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Rpc;

/// <summary>
/// Runs the handlers registered in this process. Each invocation runs on the thread pool, never on a
/// connection's read loop; many run at once. An invocation whose handler takes a token (or streams) is
/// remembered by id, so a cancellation or stream credit from the caller can reach it.
/// </summary>
internal sealed partial class RpcDispatcher
{
    private readonly ConcurrentDictionary<string, RpcMethod> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, Invocation> _running = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IFirnSerializer _serializer;
    private readonly MessageSizeLimit _maxMessageSize;
    private readonly ILogger _logger;
    private readonly FirnMetrics _metrics;
    private CancellationToken _stopping;
    private int _inFlight;
    private volatile bool _draining;

    public RpcDispatcher(string processName, IFirnSerializer serializer, MessageSizeLimit maxMessageSize, ILogger logger, FirnMetrics? metrics = null)
    {
        _metrics = metrics ?? FirnMetrics.Disabled;
        ProcessName = processName;
        _serializer = serializer;
        _maxMessageSize = maxMessageSize;
        _logger = logger;
    }

    public string ProcessName { get; }

    /// <summary>Handlers' tokens fire when <paramref name="stopping"/> does (this process is stopping).</summary>
    public void StopWith(CancellationToken stopping) => _stopping = stopping;

    public bool TryAdd(RpcMethod method) => _methods.TryAdd(method.Name, method);

    public void Remove(RpcMethod method) => _methods.TryRemove(new KeyValuePair<string, RpcMethod>(method.Name, method));

    /// <summary>Starts an invocation; <paramref name="args"/> is copied, so the caller's buffer may be reused at once.</summary>
    public void Invoke(uint id, RpcFlags flags, int credit, string methodName, string caller, ReadOnlySpan<byte> args, IRpcResponder responder)
    {
        if (!_methods.TryGetValue(methodName, out var method))
        {
            _ = Fail(responder, id, RpcStatus.MethodNotFound, $"No handler '{methodName}' is registered in process '{ProcessName}'.");
            return;
        }

        var wantsStream = (flags & RpcFlags.Stream) != 0;
        if (wantsStream != method.IsStream)
        {
            _ = Fail(responder, id, RpcStatus.InvalidArguments, method.IsStream
                ? $"Method '{methodName}' returns a stream; call it with StreamAsync."
                : $"Method '{methodName}' returns one result, not a stream; call it with CallAsync.");
            return;
        }

        if (_draining)
        {
            _ = Fail(responder, id, RpcStatus.ProcessExited, $"Process '{ProcessName}' is stopping and takes no new calls.");
            return;
        }

        var traceParent = RpcTracing.Read(flags, ref args);
        var invocation = new Invocation(this, id, method, caller, ReceivedBody.Keep(args), responder, credit, traceParent);
        Interlocked.Increment(ref _inFlight);

        // Registered before it is queued, so a cancellation that arrives right after finds it.
        if (invocation.IsTracked)
        {
            _running[id] = invocation;
        }

        ThreadPool.UnsafeQueueUserWorkItem(invocation, preferLocal: false);
    }

    public void Cancel(uint id)
    {
        if (_running.TryGetValue(id, out var invocation))
        {
            invocation.Cancel();
        }
    }

    public void AddCredit(uint id, int count)
    {
        if (_running.TryGetValue(id, out var invocation))
        {
            invocation.AddCredit(count);
        }
    }

    /// <summary>Takes no new calls and waits (up to <paramref name="timeout"/>) for the running ones to answer.</summary>
    public Task DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        if (Volatile.Read(ref _inFlight) == 0)
        {
            return Task.CompletedTask;
        }

        return Task.WhenAny(_drained.Task, Task.Delay(timeout));
    }

    private Task Fail(IRpcResponder responder, uint id, RpcStatus status, string message) =>
        responder.CompleteAsync(id, status, RpcError.Plain(ProcessName, message).Encode());

    private void Finished(Invocation invocation)
    {
        if (invocation.IsTracked)
        {
            _running.TryRemove(invocation.Id, out _);
        }

        if (Interlocked.Decrement(ref _inFlight) == 0 && _draining)
        {
            _drained.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The handler of '{Method}' (called by '{Caller}') threw")]
    private partial void LogHandlerFailed(Exception exception, string method, string caller);
}
