using System.Collections.Concurrent;
using Firn.Redis.Connection;
using Firn.Redis.Hosts;
using Firn.Rpc;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Rpc;

/// <summary>
/// Every other host, as this host's <see cref="RpcTable"/> sees it: the owner of the methods no local process has. An
/// invocation becomes one script on Redis that finds the method's owning host, checks that it is alive and appends the
/// call to its request stream; what comes back on this host's reply stream completes it (<see cref="OnReply"/>).
/// </summary>
/// <remarks>
/// The table calls <see cref="Invoke"/> from read loops: it only issues the script (one multiplexer keeps the order in
/// which calls are issued, so one caller's calls reach the owner in order). A cancellation or credit for a call follows
/// once its script has answered, so it never overtakes the call. A watchdog checks, every quarter of the host timeout,
/// that the hosts running this host's calls are alive, and fails the calls of one that is not.
/// </remarks>
internal sealed partial class RedisRpcOutbound : RpcPeer, IAsyncDisposable
{
    // Finds the owner of ARGV[1]: {0} none, {1, host} dead (its liveness key does not hold the recorded instance),
    // {2, host, instance} sent (ARGV[4] appended to its request stream).
    private const string CallScript = """
        local v = redis.call('HGET', KEYS[1], ARGV[1])
        if not v then return {0} end
        local sep = string.find(v, ' ', 1, true)
        local instance = string.sub(v, 1, sep - 1)
        local host = string.sub(v, sep + 1)
        if redis.call('GET', ARGV[2] .. host) ~= instance then return {1, host} end
        redis.call('XADD', ARGV[3] .. host, '*', 'm', ARGV[4])
        return {2, host, instance}
        """;

    private readonly IDatabase _database;
    private readonly RedisRpcNames _names;
    private readonly RedisHostLiveness _liveness;
    private readonly CallerId _self;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, SentCall> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;
    private readonly TimeSpan _period;
    private RpcTable? _table;
    private long _sent;

    public RedisRpcOutbound(IDatabase database, RedisRpcNames names, RedisHostLiveness liveness, CallerId self, TimeSpan hostTimeout, ILogger logger)
        : base("other hosts")
    {
        _database = database;
        _names = names;
        _liveness = liveness;
        _self = self;
        _logger = logger;
        _period = hostTimeout / 4;
        _watching = WatchAsync(_stopping.Token);
    }

    /// <summary>Calls in flight to other hosts, for diagnostics and tests.</summary>
    public int Count => _inFlight.Count;

    /// <summary>Calls handed to other hosts since the start (found or not), for diagnostics and tests.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    private RpcTable Table => _table ?? throw new InvalidOperationException("The RPC engine is not attached to a table.");

    public void Attach(RpcTable table) => _table = table;

    public override bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args)
    {
        var message = RedisRpcMessages.Call(_self with { Process = caller }, invocationId, flags, credit, method, args);
        var call = new SentCall(method, caller);
        Interlocked.Increment(ref _sent);
        _inFlight[invocationId] = call;
        Task<RedisResult> sending;
        try
        {
            sending = _database.ScriptEvaluateAsync(CallScript, [_names.Methods], [method, _names.HostKeyPrefix, _names.RequestPrefix, message]);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            sending = Task.FromException<RedisResult>(ex);
        }

        _ = SentAsync(invocationId, call, sending);
        return true;
    }

    public override void CancelInvocation(uint invocationId)
    {
        if (_inFlight.TryRemove(invocationId, out var call))
        {
            _ = FollowAsync(call, id => RedisRpcMessages.Cancel(id, invocationId));
        }
    }

    public override void GrantInvocationCredit(uint invocationId, int count)
    {
        if (_inFlight.TryGetValue(invocationId, out var call))
        {
            _ = FollowAsync(call, id => RedisRpcMessages.Credit(id, invocationId, count));
        }
    }

    // Other hosts never call through this peer: it owns methods, it makes no calls.
    public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body) => throw new InvalidOperationException("The other hosts' peer makes no calls.");

    public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload) => throw new InvalidOperationException("The other hosts' peer makes no calls.");

    public override void Violate(string reason) => LogViolation(_logger, reason);

    /// <summary>An entry of this host's reply stream: the outcome or a stream item of a call this host sent.</summary>
    public void OnReply(ReadOnlySpan<byte> message)
    {
        var reader = new Transport.BodyReader(message);
        var kind = (RedisRpcMessages.Reply)reader.ReadByte();
        var id = reader.ReadUInt32();
        if (kind == RedisRpcMessages.Reply.Item)
        {
            Table.StreamItem(this, id, reader.Remaining);
            return;
        }

        var status = (RpcStatus)reader.ReadByte();
        _inFlight.TryRemove(id, out _);
        Table.Complete(this, id, status, reader.Remaining);
    }

    /// <summary>
    /// Stops the watchdog and fails the calls still in flight: their replies would come to a stream this host no longer
    /// reads, so they would wait for their timeout (as a local call does not: a stopping app's children fail theirs).
    /// The owners cancel their handlers when this host's liveness goes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
        if (_table is not null)
        {
            foreach (var (id, call) in _inFlight)
            {
                Fail(id, RpcStatus.ProcessExited, _self.Process, $"Host '{_self.Host}' stopped before the call to '{call.Method}' on another host was answered.");
            }
        }
    }

    private async Task SentAsync(uint id, SentCall call, Task<RedisResult> sending)
    {
        try
        {
            var result = (RedisResult[])(await sending.ConfigureAwait(false))!;
            switch ((int)result[0])
            {
                case 2:
                    call.Routed.TrySetResult(new Route((string)result[1]!, (string)result[2]!));
                    return;
                case 1:
                    Fail(id, RpcStatus.ProcessExited, (string)result[1]!, $"Method '{call.Method}' belongs to host '{result[1]}', which is not alive: its liveness on Redis expired (it stopped, crashed or lost Redis).");
                    break;
                default:
                    Fail(id, RpcStatus.MethodNotFound, _self.Process, $"No process has registered method '{call.Method}' on any host.");
                    break;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Not a limit, but the status a caller reads as "Firn refused the call" (an RpcException), with Redis named.
            Fail(id, RpcStatus.LimitExceeded, _self.Process, $"The call to '{call.Method}' could not be sent through Redis ({ex.GetType().Name}: {ex.Message}). Redis may be down or unreachable; the connection is retried by itself.");
        }

        call.Routed.TrySetResult(null);
    }

    private void Fail(uint id, RpcStatus status, string processName, string message)
    {
        if (_inFlight.TryRemove(id, out _))
        {
            Table.Complete(this, id, status, RpcError.Plain(processName, message).Encode());
        }
    }

    /// <summary>Sends a cancellation or credit to the host running a call, once the call is there (never before it).</summary>
    private async Task FollowAsync(SentCall call, Func<CallerId, byte[]> message)
    {
        if (await call.Routed.Task.ConfigureAwait(false) is not { } route)
        {
            return;
        }

        try
        {
            await _database.StreamAddAsync(_names.Requests(route.Host), RedisRpcMessages.Field, message(_self with { Process = call.Caller })).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFollowFailed(_logger, ex, call.Method, route.Host);
        }
    }

    /// <summary>Fails the calls in flight to hosts that are no longer alive (or run another instance now).</summary>
    private async Task WatchAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_period, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var routes = _inFlight.Values.Select(c => c.Routed.Task).Where(t => t.IsCompletedSuccessfully && t.Result is not null).Select(t => t.Result!).Distinct().ToList();
            foreach (var route in routes)
            {
                string? instance;
                try
                {
                    instance = await _liveness.InstanceOfAsync(route.Host).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Redis down: nothing to learn now; the calls time out if it stays down.
                    continue;
                }

                if (instance != route.Instance)
                {
                    FailRoute(route);
                }
            }
        }
    }

    private void FailRoute(Route route)
    {
        foreach (var (id, call) in _inFlight)
        {
            if (call.Routed.Task.IsCompletedSuccessfully && call.Routed.Task.Result == route)
            {
                Fail(id, RpcStatus.ProcessExited, route.Host, $"Host '{route.Host}' stopped renewing its liveness on Redis (it stopped, crashed or lost Redis) before it answered the call to '{call.Method}'.");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: another host broke the protocol: {Reason}")]
    private static partial void LogViolation(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC on Redis: a cancellation or credit for a call to '{Method}' could not be sent to host '{Host}'")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception, string method, string host);

    /// <summary>Where a call went: the owning host and its instance at the time.</summary>
    private sealed record Route(string Host, string Instance);

    /// <summary>A call sent to another host; <see cref="Routed"/> completes with its route once the script answered (null if it was not sent).</summary>
    private sealed class SentCall(string method, string caller)
    {
        public string Method { get; } = method;

        public string Caller { get; } = caller;

        public TaskCompletionSource<Route?> Routed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
