using System.Collections.Concurrent;
using Firn.Redis.Connection;
using Firn.Redis.Hosts;
using Firn.Rpc;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Rpc;

/// <summary>
/// RPC across hosts on Redis (docs/redis.md, "RPC"): the registry of methods and their owning hosts, the calls this host
/// sends to other hosts (<see cref="RedisRpcOutbound"/>), and the calls and replies other hosts send this one
/// (<see cref="RedisRpcInbound"/>, read on a dedicated connection).
/// </summary>
/// <remarks>
/// Claims and releases are issued on the shared multiplexer in the order the table calls them (under its lock), and one
/// multiplexer writes commands in the order they are issued, so Redis applies them in that order.
/// </remarks>
internal sealed partial class RedisRpcEngine : IRpcEngine, IAsyncDisposable
{
    // Sets the method's owner to this host unless another live host owns it (its liveness key holds the instance id
    // recorded with the method); returns that host's name, or nil once the method is this host's.
    private const string ClaimScript = """
        local v = redis.call('HGET', KEYS[1], ARGV[1])
        if v and v ~= ARGV[2] then
          local sep = string.find(v, ' ', 1, true)
          if sep then
            local host = string.sub(v, sep + 1)
            if redis.call('GET', ARGV[3] .. host) == string.sub(v, 1, sep - 1) then
              return host
            end
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return false
        """;

    // Deletes each method named in ARGV[2..] that this host (ARGV[1]) still owns.
    private const string ReleaseScript = """
        for i = 2, #ARGV do
          if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
            redis.call('HDEL', KEYS[1], ARGV[i])
          end
        end
        return 0
        """;

    private readonly IDatabase _database;
    private readonly RedisRpcNames _names;
    private readonly RedisHostLiveness _liveness;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly ConcurrentDictionary<string, byte> _claimed = new(StringComparer.Ordinal);
    private readonly RedisRpcOutbound _outbound;
    private readonly RedisRpcInbound _inbound;
    private readonly Task _cleared;

    public RedisRpcEngine(IConnectionMultiplexer multiplexer, Func<Task<ConnectionMultiplexer>> connectReader, RedisNames names, RedisHostLiveness liveness, FirnRedisOptions options, string processName, ILogger logger)
    {
        _database = multiplexer.GetDatabase();
        _names = new RedisRpcNames(names);
        _liveness = liveness;
        _logger = logger;
        _owner = RedisRpcNames.Owner(liveness.InstanceId, liveness.HostName);

        // A new instance starts with empty streams: what an earlier instance of this host name left is for calls whose
        // callers have failed them already. Issued before any claim, so before any other host can send here.
        // The reader starts once this is done, so it never reads what the earlier instance left.
        _cleared = Observe(_database.KeyDeleteAsync([_names.Requests(liveness.HostName), _names.Replies(liveness.HostName)]), "clear this host's RPC streams");
        var self = new CallerId(liveness.HostName, liveness.InstanceId, processName);
        _outbound = new RedisRpcOutbound(_database, _names, liveness, self, options.HostTimeout, logger);
        _inbound = new RedisRpcInbound(_database, connectReader, _names, _outbound, liveness, options, logger);
    }

    public RpcPeer OtherHosts => _outbound;

    /// <summary>The calls this host sends to other hosts, for diagnostics and tests.</summary>
    public RedisRpcOutbound Outbound => _outbound;

    public void Attach(RpcTable table)
    {
        _outbound.Attach(table);
        _inbound.Start(table, _cleared);
    }

    public Task<string?> ClaimAsync(string name)
    {
        _claimed[name] = 0;
        Task<RedisResult> claiming;
        try
        {
            claiming = _database.ScriptEvaluateAsync(ClaimScript, [_names.Methods], [name, _owner, _names.HostKeyPrefix]);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            _claimed.TryRemove(name, out _);
            return Task.FromResult<string?>(ClaimFailed(name, ex));
        }

        return ClaimedAsync(name, claiming);
    }

    public void Release(string name)
    {
        _claimed.TryRemove(name, out _);
        try
        {
            _ = Observe(_database.ScriptEvaluateAsync(ReleaseScript, [_names.Methods], [_owner, name]), $"give back RPC method '{name}'");
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            LogFailed(_logger, ex, $"give back RPC method '{name}'");
        }
    }

    /// <summary>Gives back every method this host still owns and deletes its streams, so other hosts see it gone at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _outbound.DisposeAsync().ConfigureAwait(false);
        await _inbound.DisposeAsync().ConfigureAwait(false);
        var names = _claimed.Keys.Select(n => (RedisValue)n).Prepend(_owner).ToArray();
        try
        {
            if (names.Length > 1)
            {
                await _database.ScriptEvaluateAsync(ReleaseScript, [_names.Methods], names).ConfigureAwait(false);
            }

            await _database.KeyDeleteAsync([_names.Requests(_liveness.HostName), _names.Replies(_liveness.HostName)]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFailed(_logger, ex, "give back this host's RPC methods at stop (they are taken over once its liveness expires)");
        }
    }

    private async Task<string?> ClaimedAsync(string name, Task<RedisResult> claiming)
    {
        try
        {
            var holder = await claiming.ConfigureAwait(false);
            if (holder.IsNull)
            {
                return null;
            }

            _claimed.TryRemove(name, out _);
            return $"Method '{name}' is already registered by a process of host '{holder}', which is alive; a method name belongs to one process of one host at a time.";
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _claimed.TryRemove(name, out _);
            return ClaimFailed(name, ex);
        }
    }

    private static string ClaimFailed(string name, Exception ex) =>
        $"Method '{name}' could not be registered on Redis ({ex.GetType().Name}: {ex.Message}). Redis may be down or unreachable; the connection is retried by itself.";

    private async Task Observe(Task task, string what)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFailed(_logger, ex, what);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: could not {What}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string what);
}
