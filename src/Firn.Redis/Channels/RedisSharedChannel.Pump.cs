using Firn.Routing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Channels;

/// <content>
/// The channel's loop: woken by the doorbell (an append anywhere, a local receiver's free credit, a send, an
/// acknowledgement) or every <see cref="RedisChannelEngine.Period"/>, it acknowledges, appends, reads, and now and then
/// claims a dead host's entries and checks its own. A Redis failure is logged once per outage and retried.
/// </content>
internal sealed partial class RedisSharedChannel
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private long _nextCheck;
    private bool _failing;
    private bool _subscribed;

    private async Task PumpAsync(CancellationToken stopping)
    {
        await Task.Yield();
        Ring();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _bell.WaitAsync(_engine.Period, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await RoundAsync().ConfigureAwait(false);
                if (_failing)
                {
                    _failing = false;
                    LogRedisBack(_engine.Logger, Name);
                }
            }
#pragma warning disable CA1031 // The loop must outlive whatever a round throws (see below).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Besides Redis's own failures, the client throws what it likes from a connection torn down mid-command
                // (an InvalidOperationException from its pipe was seen): retried like an outage, or the channel would
                // stop for good without a word.
                if (!_failing)
                {
                    _failing = true;
                    LogRedisFailed(_engine.Logger, ex, Name);
                }

                try
                {
                    await Task.Delay(RetryDelay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Ring();
            }
        }
    }

    private async Task RoundAsync()
    {
        await _engine.SubscribeNoticesAsync().ConfigureAwait(false);
        if (!_subscribed)
        {
            await SubscribeDoorbellAsync().ConfigureAwait(false);
            _subscribed = true;
        }

        if (await CloseIfAskedAsync().ConfigureAwait(false))
        {
            return;
        }

        await FlushAcksAsync().ConfigureAwait(false);
        await AppendAsync().ConfigureAwait(false);
        await ReadAsync().ConfigureAwait(false);
        if (Environment.TickCount64 >= _nextCheck)
        {
            try
            {
                await CheckAsync().ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // The stream is gone: another host closed the channel, and its notice is on its way.
            }

            _nextCheck = Environment.TickCount64 + (long)_engine.Period.TotalMilliseconds;
        }
    }

    /// <summary>Reads new entries for as many messages as local receivers may take (none without a receiver: the others read them).</summary>
    private async Task ReadAsync()
    {
        while (true)
        {
            var demand = Router.DemandOf(_channel);
            if (demand <= 0)
            {
                return;
            }

            var count = Math.Min(demand, MaxBatch);
            StreamEntry[] entries;
            try
            {
                entries = await _engine.Database.StreamReadGroupAsync(_keys.Stream, RedisChannelEngine.Group, _engine.HostName, StreamPosition.NewMessages, count).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // The stream was deleted (the channel closed, or Redis lost its data): make it again unless closed.
                await _engine.DeclareAsync(Name, _channel.TypeName, create: true).ConfigureAwait(false);
                return;
            }

            Hand(entries);
            if (entries.Length < count)
            {
                return;
            }
        }
    }

    /// <summary>Hands entries (read or claimed, so in this host's pending list) to the router, remembering each for its acknowledgement.</summary>
    private void Hand(StreamEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return;
        }

        var messages = new List<(RouterPeer Origin, ReadOnlyMemory<byte> Payload)>(entries.Length);
        var own = 0;
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                var id = (string)entry.Id!;
                var host = (string?)entry["h"];
                var process = (string?)entry["n"];
                var data = (byte[]?)entry["d"];
                if (entry.IsNull || host is null || process is null || data is null)
                {
                    // Not one of ours (or gone): acknowledged so it does not stay pending forever.
                    _toAck.Add(id);
                    continue;
                }

                if (!_heldIds.Add(id))
                {
                    continue;
                }

                var isOwn = host == _engine.HostName;
                own += isOwn ? 1 : 0;
                _held[data] = (id, isOwn);
                messages.Add((Origin(host, process), data));
            }
        }

        _router.DeliverShared(_channel, messages, own);
    }

    /// <summary>
    /// The router peer a sender's entries wait under, named <c>{process}@{host}</c> so that it matches no local process:
    /// on Redis a message may go to any receiver, its sender included. The in-memory router never hands a process its
    /// own message, but a host reads for all its receivers at once, and an entry that only its sender could take here
    /// would wait in this host while other hosts' receivers starve (handing it back would break the order per sender).
    /// Under <see cref="_gate"/>.
    /// </summary>
    private RouterPeer Origin(string host, string process)
    {
        if (!_origins.TryGetValue((host, process), out var origin))
        {
            origin = new SharedOrigin($"{process}@{host}");
            _origins[(host, process)] = origin;
        }

        return origin;
    }

    /// <summary>
    /// Every period: claims the entries of dead hosts (their liveness key expired), takes back its own entries that
    /// Redis lists as pending here but this host does not hold (a read whose reply was lost), and settles outstanding
    /// entries whose acknowledgement notice was lost.
    /// </summary>
    private async Task CheckAsync()
    {
        var database = _engine.Database;
        if (Router.DemandOf(_channel) > 0)
        {
            var pending = await database.StreamPendingAsync(_keys.Stream, RedisChannelEngine.Group).ConfigureAwait(false);
            foreach (var consumer in pending.Consumers)
            {
                var name = (string)consumer.Name!;
                if (name == _engine.HostName || await _engine.Liveness.IsAliveAsync(name).ConfigureAwait(false))
                {
                    continue;
                }

                var theirs = await database.StreamPendingMessagesAsync(_keys.Stream, RedisChannelEngine.Group, MaxBatch, name).ConfigureAwait(false);
                if (theirs.Length == 0)
                {
                    await database.StreamDeleteConsumerAsync(_keys.Stream, RedisChannelEngine.Group, name).ConfigureAwait(false);
                    continue;
                }

                var claimed = await database.StreamClaimAsync(_keys.Stream, RedisChannelEngine.Group, _engine.HostName, _engine.ClaimMinIdle, [.. theirs.Select(p => p.MessageId)]).ConfigureAwait(false);
                if (claimed.Length > 0)
                {
                    LogClaimed(_engine.Logger, claimed.Length, Name, name);
                    Hand(claimed);
                }
            }

            await TakeBackOrphansAsync().ConfigureAwait(false);
        }

        await ReconcileAsync().ConfigureAwait(false);
    }

    private async Task TakeBackOrphansAsync()
    {
        var minIdle = 2 * (long)_engine.Period.TotalMilliseconds;
        var mine = await _engine.Database.StreamPendingMessagesAsync(_keys.Stream, RedisChannelEngine.Group, MaxBatch, _engine.HostName).ConfigureAwait(false);
        RedisValue[] orphans;
        lock (_gate)
        {
            orphans = [.. mine.Where(p => p.IdleTimeInMilliseconds > minIdle && !_heldIds.Contains((string)p.MessageId!) && !_toAck.Contains((string)p.MessageId!)).Select(p => p.MessageId)];
        }

        if (orphans.Length > 0)
        {
            Hand(await _engine.Database.StreamClaimAsync(_keys.Stream, RedisChannelEngine.Group, _engine.HostName, minIdle, orphans).ConfigureAwait(false));
        }
    }

    private async Task ReconcileAsync()
    {
        var before = Environment.TickCount64 - (long)_engine.Period.TotalMilliseconds;
        RedisValue[] old;
        lock (_gate)
        {
            _earlyAcks.Clear();
            _overWindow.Clear();
            // Own entries consumed here whose notice never came count as unacknowledged until settled too.
            old = [.. _outstanding.Where(o => o.Value.Since < before).Select(o => o.Key).Concat(_settling).Distinct().Take(MaxBatch * 4).Select(id => (RedisValue)id)];
        }

        if (old.Length == 0)
        {
            return;
        }

        var gone = (RedisResult[])(await _engine.Database.ScriptEvaluateAsync(RedisChannelScripts.Gone, [_keys.Stream], old).ConfigureAwait(false))!;
        if (gone.Length > 0)
        {
            OnAcknowledged([.. gone.Select(g => (string)g!)]);
        }
    }

    /// <summary>
    /// Closes the channel once a local process asked: what local senders sent before goes to Redis first; then the
    /// closed mark stops every append, this host takes what no host had read (its receivers get it beyond their
    /// windows, or it is discarded and logged, as in memory), closes the channel here, deletes the stream and tells
    /// every host on the doorbell. Each step may run again after a Redis failure. Once closed, nothing more goes to
    /// Redis but the acknowledgements of what local receivers consumed.
    /// </summary>
    private async Task<bool> CloseIfAskedAsync()
    {
        bool requested;
        lock (_gate)
        {
            if (!_closed)
            {
                return false;
            }

            requested = _closeRequested;
        }

        if (requested)
        {
            var database = _engine.Database;
            await AppendAsync().ConfigureAwait(false);
            await database.StringSetAsync(_keys.Closed, "1").ConfigureAwait(false);
            try
            {
                Hand(await database.StreamReadGroupAsync(_keys.Stream, RedisChannelEngine.Group, _engine.HostName, StreamPosition.NewMessages).ConfigureAwait(false));
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Deleted already: a first attempt got that far.
            }

            _router.CloseShared(_channel);
            await database.ScriptEvaluateAsync(RedisChannelScripts.Close, [_keys.Stream, _keys.Senders], [(string)_keys.Doorbell!]).ConfigureAwait(false);
            lock (_gate)
            {
                _closeRequested = false;
            }
        }

        lock (_gate)
        {
            _toAppend.Clear();
            _outstanding.Clear();
            _settling.Clear();
        }

        await FlushAcksAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Subscribes to the channel's doorbell: new entries, or <c>closed</c>. The client renews it after a reconnection.</summary>
    private async Task SubscribeDoorbellAsync() =>
        await _engine.Multiplexer.GetSubscriber().SubscribeAsync(_keys.Doorbell, (_, message) =>
        {
            if (message == "closed")
            {
                lock (_gate)
                {
                    _closedByNotice = true;
                    _closed = true;
                }

                _router.CloseShared(_channel);
            }

            Ring();
        }).ConfigureAwait(false);

    /// <summary>A sender of another host, or of this one, as the router's queues see it: it is never told anything.</summary>
    private sealed class SharedOrigin(string processName) : RouterPeer(processName)
    {
        public override void ReleaseBytes(int bytes)
        {
        }

        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload)
        {
        }

        public override void GrantCredit(uint channelId, int count)
        {
        }

        public override void NotifyClosed(uint channelId)
        {
        }

        public override void Violate(string reason)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel '{Channel}' cannot reach Redis; its messages wait in this main process (each sender within its window) until Redis is back")]
    private static partial void LogRedisFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel '{Channel}' reaches Redis again")]
    private static partial void LogRedisBack(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} unacknowledged messages of channel '{Channel}' from dead host '{Host}'")]
    private static partial void LogClaimed(ILogger logger, int count, string channel, string host);
}
