using System.Runtime.InteropServices;
using Firn.Routing;
using StackExchange.Redis;

namespace Firn.Redis.Channels;

/// <summary>
/// One channel of this main process on its Redis stream. The router calls <see cref="Append"/>, <see cref="Consumed"/>,
/// <see cref="Wake"/> and <see cref="Close"/> under the channel's lock: they only record what to do under this object's
/// own lock (<see cref="_gate"/>, taken after the channel's, never held while calling the router) and ring
/// <see cref="_bell"/>. One loop per channel (<see cref="PumpAsync"/>) then talks to Redis, one command at a time, so
/// a sender's batches are appended in order and nothing else needs ordering.
/// </summary>
internal sealed partial class RedisSharedChannel : SharedChannel, IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly RedisChannelEngine _engine;
    private readonly Router _router;
    private readonly RoutedChannel _channel;
    private readonly RedisChannelKeys _keys;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _bell = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;

    // Under _gate.
    private readonly Dictionary<RouterPeer, Queue<(ReadOnlyMemory<byte> Payload, long Cost)>> _toAppend = [];
    private readonly HashSet<RouterPeer> _overWindow = [];
    private readonly Dictionary<string, (RouterPeer Sender, long Cost, long Since)> _outstanding = new(StringComparer.Ordinal);
    private readonly HashSet<string> _earlyAcks = new(StringComparer.Ordinal);
    private readonly Dictionary<byte[], (string Id, bool Own)> _held = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _heldIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toAck = new(StringComparer.Ordinal);
    private readonly HashSet<string> _settling = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Host, string Process), RouterPeer> _origins = [];
    private bool _closeRequested;
    private bool _closedByNotice;
    private bool _closed;

    public RedisSharedChannel(RedisChannelEngine engine, Router router, RoutedChannel channel)
    {
        _engine = engine;
        _router = router;
        _channel = channel;
        _keys = new RedisChannelKeys(engine.Prefix, channel.Name);

        // Not yet visible to any other thread: the router binds a channel before publishing it.
        _closed = channel.IsClosed;
        _pump = PumpAsync(_stopping.Token);
    }

    private string Name => _channel.Name;

    public override int Settling
    {
        get
        {
            lock (_gate)
            {
                return _settling.Count;
            }
        }
    }

    public override void Append(RouterPeer sender, ReadOnlyMemory<byte> payload, long cost)
    {
        lock (_gate)
        {
            if (!_toAppend.TryGetValue(sender, out var queue))
            {
                queue = new Queue<(ReadOnlyMemory<byte>, long)>();
                _toAppend[sender] = queue;
            }

            queue.Enqueue((payload, cost));
        }

        Ring();
    }

    public override void Consumed(ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            // Messages read from the stream are held by their whole array (see the pump), which the payload is.
            if (!MemoryMarshal.TryGetArray(payload, out var array) || !_held.Remove(array.Array!, out var entry))
            {
                return;
            }

            _heldIds.Remove(entry.Id);
            _toAck.Add(entry.Id);
            if (entry.Own)
            {
                // Under the channel's lock, as the router's callers hold it.
                HeldOwn--;
                _settling.Add(entry.Id);
            }
        }

        Ring();
    }

    public override void Wake() => Ring();

    public override void Close()
    {
        lock (_gate)
        {
            if (_closedByNotice || _closed)
            {
                return;
            }

            _closeRequested = true;
            _closed = true;
        }

        Ring();
    }

    /// <summary>This host's entries were acknowledged (a notice from the ack script): their senders get credit back.</summary>
    public void OnAcknowledged(ReadOnlySpan<string> ids)
    {
        var grants = new Dictionary<RouterPeer, (int Count, long Bytes)>();
        lock (_gate)
        {
            foreach (var id in ids)
            {
                _settling.Remove(id);
                if (_outstanding.Remove(id, out var entry))
                {
                    var current = grants.GetValueOrDefault(entry.Sender);
                    grants[entry.Sender] = (current.Count + 1, current.Bytes + entry.Cost);
                }
                else
                {
                    // The notice came (on the subscription's connection) before the append's reply: settled when it comes.
                    _earlyAcks.Add(id);
                }
            }

            // A sender's count went down: one held back by the script's window check may go on.
            _overWindow.Clear();
        }

        Grant(grants);
        Ring();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        try
        {
            // What was consumed is acknowledged, so the other hosts do not deliver it again.
            await FlushAcksAsync().ConfigureAwait(false);
            await _engine.Multiplexer.GetSubscriber().UnsubscribeAsync(_keys.Doorbell).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisFailed(_engine.Logger, ex, Name);
        }

        _stopping.Dispose();
    }

    private void Ring()
    {
        try
        {
            if (_bell.CurrentCount == 0)
            {
                // SemaphoreSlim runs an async waiter's continuation on the pool, never here (under the channel's lock).
                _bell.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Rung by another thread at the same moment: once is enough.
        }
    }

    private void Grant(Dictionary<RouterPeer, (int Count, long Bytes)> grants)
    {
        foreach (var (sender, grant) in grants)
        {
            Router.GrantShared(_channel, sender, grant.Count, grant.Bytes);
        }
    }

    /// <summary>The next batch to append: one sender's messages, in order, that the script's window check does not hold back.</summary>
    private (RouterPeer Sender, (ReadOnlyMemory<byte> Payload, long Cost)[] Batch)? NextBatch()
    {
        lock (_gate)
        {
            foreach (var (sender, queue) in _toAppend)
            {
                if (queue.Count > 0 && !_overWindow.Contains(sender))
                {
                    return (sender, [.. queue.Take(MaxBatch)]);
                }
            }

            return null;
        }
    }

    /// <summary>Appends what local senders sent, one batch (of one sender) at a time, so each sender's messages keep their order.</summary>
    private async Task AppendAsync()
    {
        while (NextBatch() is var (sender, batch))
        {
            var args = new RedisValue[4 + batch.Length];
            args[0] = _router.SendWindow;
            args[1] = _engine.HostName;
            args[2] = sender.ProcessName;
            args[3] = (string)_keys.Doorbell!;
            for (var i = 0; i < batch.Length; i++)
            {
                args[4 + i] = batch[i].Payload;
            }

            var result = await _engine.Database.ScriptEvaluateAsync(RedisChannelScripts.Append, [_keys.Stream, _keys.Senders, _keys.Closed], args).ConfigureAwait(false);
            var ids = (RedisResult[])result!;
            var grants = new Dictionary<RouterPeer, (int Count, long Bytes)>();
            lock (_gate)
            {
                var queue = _toAppend[sender];
                var now = Environment.TickCount64;
                foreach (var id in ids)
                {
                    var (_, cost) = queue.Dequeue();
                    var entryId = (string)id!;
                    if (_earlyAcks.Remove(entryId))
                    {
                        var current = grants.GetValueOrDefault(sender);
                        grants[sender] = (current.Count + 1, current.Bytes + cost);
                    }
                    else
                    {
                        _outstanding[entryId] = (sender, cost, now);
                    }
                }

                if (ids.Length < batch.Length)
                {
                    // The sender's count on Redis is at its window (an earlier instance of the process left entries
                    // unacknowledged), or the channel is closed: wait for an acknowledgement notice or the next check.
                    _overWindow.Add(sender);
                }

                if (queue.Count == 0)
                {
                    _toAppend.Remove(sender);
                }
            }

            Grant(grants);
        }
    }

    /// <summary>Acknowledges on Redis what local receivers consumed (a set: the script skips what is gone).</summary>
    private async Task FlushAcksAsync()
    {
        while (true)
        {
            string[] ids;
            lock (_gate)
            {
                if (_toAck.Count == 0)
                {
                    return;
                }

                ids = [.. _toAck.Take(MaxBatch * 2)];
            }

            var args = new RedisValue[3 + ids.Length];
            args[0] = RedisChannelEngine.Group;
            args[1] = _engine.NoticePrefix;
            args[2] = Name;
            for (var i = 0; i < ids.Length; i++)
            {
                args[3 + i] = ids[i];
            }

            // Removed only once Redis has them: after a failure the next round sends them again.
            await _engine.Database.ScriptEvaluateAsync(RedisChannelScripts.Ack, [_keys.Stream, _keys.Senders], args).ConfigureAwait(false);
            lock (_gate)
            {
                _toAck.ExceptWith(ids);
            }
        }
    }
}
