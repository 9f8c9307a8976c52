using System.Collections.Concurrent;
using Firn.Failures;
using Firn.Redis.Connection;
using Firn.Redis.Hosts;
using Firn.Routing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Channels;

/// <summary>
/// Channels on Redis Streams (docs/redis.md, "Channels"): a stream <c>{prefix}:chan:{name}</c> per channel with one
/// consumer group, each host (main process) a consumer named by its <see cref="RedisHostLiveness.HostName"/>. Each
/// shared channel of this main process is a <see cref="RedisSharedChannel"/>; the engine holds what they share: the
/// names, the subscription to this host's acknowledgement notices, and the timing.
/// </summary>
/// <remarks>
/// No blocking command is ever sent: StackExchange.Redis multiplexes every caller on one connection, which a blocking
/// XREADGROUP would hold. A channel's reads are woken by a pub/sub doorbell that the append script rings instead (see
/// <see cref="RedisSharedChannel"/>), with a poll every <see cref="Period"/> for a ring missed while disconnected.
/// </remarks>
internal sealed class RedisChannelEngine : IChannelEngine, IAsyncDisposable
{
    /// <summary>The consumer group of every channel stream.</summary>
    public const string Group = "firn";

    private readonly ConcurrentDictionary<string, RedisSharedChannel> _channels = new(StringComparer.Ordinal);
    private readonly RedisChannel _notices;

    /// <summary>0 until this host's notices are subscribed (or while a subscription is under way: 1).</summary>
    private int _noticesSubscribed;

    public RedisChannelEngine(IConnectionMultiplexer multiplexer, RedisNames names, RedisHostLiveness liveness, TimeSpan hostTimeout, ILogger logger)
    {
        Multiplexer = multiplexer;
        Database = multiplexer.GetDatabase();
        Liveness = liveness;
        Logger = logger;
        Prefix = names.Prefix;

        // A third of the host timeout (the liveness key's renewal period): a dead host's entries are claimed at most this
        // long after its key expired, and a doorbell missed while disconnected costs at most this much latency.
        Period = TimeSpan.FromMilliseconds(Math.Max(100, hostTimeout.TotalMilliseconds / 3));

        // A dead host's entries have been idle at least two thirds of the host timeout when its key expires (it renewed
        // every third): half of it lets exactly one live host claim each (a claim resets the idle time).
        ClaimMinIdle = (long)(hostTimeout.TotalMilliseconds / 2);
        NoticePrefix = $"{Prefix}:{RedisSegments.ChannelAcked}:";
        _notices = RedisChannel.Literal(NoticePrefix + liveness.HostName);
    }

    public IConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database { get; }

    public RedisHostLiveness Liveness { get; }

    public ILogger Logger { get; }

    public string Prefix { get; }

    public string HostName => Liveness.HostName;

    /// <summary>How often each channel polls, claims a dead host's entries and checks its own (see the constructor).</summary>
    public TimeSpan Period { get; }

    public long ClaimMinIdle { get; }

    /// <summary>The prefix of the pub/sub channels that tell a host its entries were acknowledged (<c>{prefix}:chan-acked:{host}</c>).</summary>
    public string NoticePrefix { get; }

    public async Task<SharedChannelState?> DeclareAsync(string name, string typeName, bool create)
    {
        var keys = new RedisChannelKeys(Prefix, name);
        RedisResult result;
        try
        {
            result = await Database.ScriptEvaluateAsync(RedisChannelScripts.Declare, [keys.Type, keys.Stream, keys.Closed], [typeName, create ? "1" : "0", Group]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ChannelBackendException($"Channel '{name}' cannot be opened: Redis did not answer ({ex.Message}). It can be opened again once Redis is back.", ex);
        }

        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return new SharedChannelState((string)parts[0]!, (long)parts[1] == 1);
    }

    public SharedChannel Bind(Router router, RoutedChannel channel)
    {
        var shared = new RedisSharedChannel(this, router, channel);
        _channels[channel.Name] = shared;
        return shared;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Multiplexer.GetSubscriber().UnsubscribeAsync(_notices).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Closing anyway: the server drops the subscription with the connection.
        }
    }

    /// <summary>
    /// Subscribes to this host's acknowledgement notices once (each channel's loop calls it before its round, so a
    /// subscription that failed while Redis was down is made on a later round). The client renews it after a
    /// reconnection; a notice lost meanwhile is made up for by each channel's check of its outstanding entries.
    /// </summary>
    public async Task SubscribeNoticesAsync()
    {
        if (Interlocked.CompareExchange(ref _noticesSubscribed, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await Multiplexer.GetSubscriber().SubscribeAsync(_notices, (_, message) => OnNotice(message)).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _noticesSubscribed, 0);
            throw;
        }
    }

    private void OnNotice(RedisValue message)
    {
        var lines = ((string?)message ?? string.Empty).Split('\n');
        if (lines.Length > 1 && _channels.TryGetValue(lines[0], out var channel))
        {
            channel.OnAcknowledged(lines.AsSpan(1));
        }
    }
}

/// <summary>The Redis names of one channel. Only the stream is under <c>:chan:</c>, so no channel name can collide with another channel's keys.</summary>
internal readonly struct RedisChannelKeys(string prefix, string name)
{
    public RedisKey Stream { get; } = $"{prefix}:{RedisSegments.Channel}:{name}";

    public RedisKey Type { get; } = $"{prefix}:{RedisSegments.ChannelType}:{name}";

    public RedisKey Closed { get; } = $"{prefix}:{RedisSegments.ChannelClosed}:{name}";

    /// <summary>A hash: per sender (<c>{host}/{process}</c>), its entries not acknowledged yet.</summary>
    public RedisKey Senders { get; } = $"{prefix}:{RedisSegments.ChannelSenders}:{name}";

    public RedisChannel Doorbell { get; } = RedisChannel.Literal($"{prefix}:{RedisSegments.ChannelBell}:{name}");
}
