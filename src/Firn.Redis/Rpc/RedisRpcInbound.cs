using System.Collections.Concurrent;
using Firn.Redis.Hosts;
using Firn.Rpc;
using Firn.Transport;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Rpc;

/// <summary>
/// Reads this host's request and reply streams with one blocking <c>XREAD</c> on a dedicated connection (the shared
/// multiplexer must never block), and hands what it reads to the table: calls, cancellations and credits of other hosts'
/// processes (through a <see cref="RedisRpcCallerPeer"/> each), and the outcomes of this host's calls to
/// <see cref="RedisRpcOutbound.OnReply"/>. Entries read are deleted (XDEL): a call is delivered at most once.
/// </summary>
/// <remarks>
/// One loop reads and dispatches, in stream order; the table only enqueues, so the loop never waits on a handler. Only
/// this loop adds caller peers and starts calls through them, so it can also forget the peers with no call in flight
/// without racing a new call. A watchdog (every quarter of the host timeout) cancels the invocations of callers whose
/// host died.
/// </remarks>
internal sealed partial class RedisRpcInbound : IAsyncDisposable
{
    private const int BatchSize = 256;
    private static readonly TimeSpan ForgetPeriod = TimeSpan.FromMinutes(1);

    private readonly IDatabase _database;
    private readonly Func<Task<ConnectionMultiplexer>> _connect;
    private readonly RedisRpcNames _names;
    private readonly RedisRpcOutbound _outbound;
    private readonly RedisHostLiveness _liveness;
    private readonly ILogger _logger;
    private readonly RedisKey _requests;
    private readonly RedisKey _replies;
    private readonly int _blockMilliseconds;
    private readonly TimeSpan _period;
    private readonly ConcurrentDictionary<CallerId, RedisRpcCallerPeer> _callers = new();
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _reader;
    private Task _reading = Task.CompletedTask;
    private Task _watching = Task.CompletedTask;
    private RpcTable? _table;

    public RedisRpcInbound(IDatabase database, Func<Task<ConnectionMultiplexer>> connect, RedisRpcNames names, RedisRpcOutbound outbound, RedisHostLiveness liveness, FirnRedisOptions options, ILogger logger)
    {
        _database = database;
        _connect = connect;
        _names = names;
        _outbound = outbound;
        _liveness = liveness;
        _logger = logger;
        _requests = names.Requests(liveness.HostName);
        _replies = names.Replies(liveness.HostName);

        // Below the client's own timeout for the command, so an idle wait is never taken for a lost connection.
        _blockMilliseconds = (int)Math.Clamp(options.OperationTimeout.TotalMilliseconds / 2, 10, 1000);
        _period = options.HostTimeout / 4;
    }

    /// <summary>Starts reading once <paramref name="cleared"/> (the deletion of an earlier instance's streams) is done.</summary>
    public void Start(RpcTable table, Task cleared)
    {
        _table = table;
        _reading = Task.Run(async () =>
        {
            await cleared.ConfigureAwait(false);
            await ReadAsync(_stopping.Token).ConfigureAwait(false);
        });
        _watching = WatchAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _reader) is { } reader)
        {
            // Ends the XREAD in progress at once instead of at its block timeout.
            await reader.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        }

        await _reading.ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ReadAsync(CancellationToken stopping)
    {
        RedisValue requestsFrom = "0-0";
        RedisValue repliesFrom = "0-0";
        var failing = false;
        var forgotAt = Environment.TickCount64;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_reader is null)
                {
                    // A stop does not wait for a connect in progress (Redis down: up to a connect timeout); that
                    // connection is closed once it is made.
                    var connecting = _connect();
                    ConnectionMultiplexer reader;
                    try
                    {
                        reader = await connecting.WaitAsync(stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                    {
                        _ = connecting.ContinueWith(made => made.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                        return;
                    }

                    Volatile.Write(ref _reader, reader);
                    if (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                }

                var read = await _reader!.GetDatabase().ExecuteAsync("XREAD", "COUNT", BatchSize, "BLOCK", _blockMilliseconds, "STREAMS", _requests, _replies, requestsFrom, repliesFrom).ConfigureAwait(false);
                if (failing)
                {
                    failing = false;
                    LogReading(_logger, _liveness.HostName);
                }

                if (!read.IsNull)
                {
                    foreach (var stream in (RedisResult[])read!)
                    {
                        var parts = (RedisResult[])stream!;
                        var isRequests = (RedisKey)parts[0] == _requests;
                        var last = Dispatch((RedisResult[])parts[1]!, isRequests);
                        _ = Trim(isRequests ? _requests : _replies, last);
                        if (isRequests)
                        {
                            requestsFrom = last[^1];
                        }
                        else
                        {
                            repliesFrom = last[^1];
                        }
                    }
                }

                if (Environment.TickCount64 - forgotAt > ForgetPeriod.TotalMilliseconds)
                {
                    forgotAt = Environment.TickCount64;
                    ForgetIdleCallers();
                }
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Closing the connection ends the XREAD in progress with whatever the client makes of it.
                return;
            }
#pragma warning disable CA1031 // The reader must outlive whatever a read throws (see below).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Besides Redis's own failures, the client throws what it likes from a connection torn down mid-command
                // (an InvalidOperationException from its pipe was seen): retried like an outage, or this host would stop
                // serving and receiving calls for good without a word.
                if (!failing)
                {
                    failing = true;
                    LogReadFailed(_logger, ex, _liveness.HostName);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Hands each entry over, in order; returns the ids read.</summary>
    private RedisValue[] Dispatch(RedisResult[] entries, bool isRequests)
    {
        var ids = new RedisValue[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = (RedisResult[])entries[i]!;
            ids[i] = (RedisValue)entry[0];
            var fields = (RedisResult[])entry[1]!;
            try
            {
                var message = (byte[])fields[1]!;
                if (isRequests)
                {
                    OnRequest(message);
                }
                else
                {
                    _outbound.OnReply(message);
                }
            }
#pragma warning disable CA1031 // A malformed entry (another version, a stray XADD) is dropped and logged; the loop goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogMalformed(_logger, ex, ids[i]);
            }
        }

        return ids;
    }

    private void OnRequest(ReadOnlySpan<byte> message)
    {
        var table = _table!;
        var reader = new BodyReader(message);
        var (kind, caller, id) = RedisRpcMessages.ReadRequest(ref reader);
        switch (kind)
        {
            case RedisRpcMessages.Request.Call:
                var (flags, credit) = ((RpcFlags)reader.ReadByte(), reader.ReadCount());
                var method = reader.ReadString();
                var peer = _callers.GetOrAdd(caller, static (c, self) => new RedisRpcCallerPeer(c, self._names.Replies(c.Host), self._database, self._logger), this);
                table.Call(peer, id, flags, credit, method, reader.Remaining);
                break;
            case RedisRpcMessages.Request.Cancel when _callers.TryGetValue(caller, out var cancelling):
                table.Cancel(cancelling, id);
                break;
            case RedisRpcMessages.Request.Credit when _callers.TryGetValue(caller, out var granting):
                table.GrantCredit(granting, id, reader.ReadCount());
                break;
        }
    }

    private async Task Trim(RedisKey stream, RedisValue[] ids)
    {
        try
        {
            await _database.StreamDeleteAsync(stream, ids).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogTrimFailed(_logger, ex, stream);
        }
    }

    private void ForgetIdleCallers()
    {
        foreach (var (id, peer) in _callers)
        {
            if (peer.CallsInFlight == 0)
            {
                _callers.TryRemove(new KeyValuePair<CallerId, RedisRpcCallerPeer>(id, peer));
            }
        }
    }

    /// <summary>Cancels, in this host, the invocations of callers whose host is no longer alive (or runs another instance now).</summary>
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

            foreach (var host in _callers.Values.Where(p => p.CallsInFlight > 0 && !p.IsGone).Select(p => (p.Caller.Host, p.Caller.Instance)).Distinct().ToList())
            {
                try
                {
                    if (await _liveness.InstanceOfAsync(host.Host).ConfigureAwait(false) == host.Instance)
                    {
                        continue;
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    continue;
                }

                foreach (var peer in _callers.Values.Where(p => p.Caller.Host == host.Host && p.Caller.Instance == host.Instance))
                {
                    _table!.RemoveCaller(peer);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: host '{Host}' cannot read its request and reply streams; calls to and from it wait until it can")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "RPC on Redis: host '{Host}' reads its request and reply streams again")]
    private static partial void LogReading(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: entry {Id} of an RPC stream is malformed and was dropped")]
    private static partial void LogMalformed(ILogger logger, Exception exception, RedisValue id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC on Redis: the entries read from {Stream} could not be deleted")]
    private static partial void LogTrimFailed(ILogger logger, Exception exception, RedisKey stream);
}
