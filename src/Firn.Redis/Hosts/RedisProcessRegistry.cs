using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Firn.Hosting;
using Firn.Redis.Connection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Hosts;

/// <summary>
/// The process registry on Redis: this host writes its children and channels to the hash <c>{prefix}:procs:{host}</c>
/// (expiring after <see cref="FirnRedisOptions.HostTimeout"/>, like its liveness key) on every change and every third of
/// the timeout, and announces changes on <c>{prefix}:procs</c>; it keeps a copy of the other live hosts' entries,
/// which the supervisor and the admin socket read without waiting for Redis.
/// </summary>
/// <remarks>
/// One loop does everything (writes, reads, the periodic refresh), so the copy has one writer and a notification that
/// arrives during a full refresh is handled after it. Each copied entry carries the moment its host's liveness key
/// expires (read with it): a host killed without leaving drops out of the view when its liveness does, not at the next
/// refresh; one that leaves (<see cref="DisposeAsync"/>) deletes its entry and announces it, so it drops out at once.
/// </remarks>
internal sealed partial class RedisProcessRegistry : IProcessRegistry, IAsyncDisposable
{
    private const string WriteScript = """
        redis.call('HSET', KEYS[1], 'processes', ARGV[1], 'channels', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        if ARGV[4] == '1' then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
        return 0
        """;

    private const string LeaveScript = """
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return 0
        """;

    private readonly IDatabase _database;
    private readonly ISubscriber _subscriber;
    private readonly RedisNames _names;
    private readonly RedisHostLiveness _liveness;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<string, byte> _notified = new(StringComparer.Ordinal);
    private Func<HostView>? _view;
    private Task _running = Task.CompletedTask;
    private volatile Entry[] _others = [];
    private int _changed = 1;
    private int _woken;
    private bool _subscribed;
    private bool _failing;
    private string? _lastSteady;

    public RedisProcessRegistry(IConnectionMultiplexer multiplexer, RedisNames names, RedisHostLiveness liveness, TimeSpan timeout, ILogger logger)
    {
        _database = multiplexer.GetDatabase();
        _subscriber = multiplexer.GetSubscriber();
        _names = names;
        _liveness = liveness;
        _timeout = timeout;
        _logger = logger;
    }

    public string HostName => _liveness.HostName;

    public void Publish(Func<HostView> view)
    {
        if (Interlocked.CompareExchange(ref _view, view, null) is not null)
        {
            throw new InvalidOperationException("This host's view is already published.");
        }

        _running = Task.Run(() => RunAsync(_stopping.Token));
    }

    public void Changed()
    {
        Volatile.Write(ref _changed, 1);
        Wake();
    }

    public IReadOnlyList<HostView> OtherHosts()
    {
        var now = Stopwatch.GetTimestamp();
        var others = _others;
        var views = new List<HostView>(others.Length);
        foreach (var entry in others)
        {
            if (entry.Deadline > now)
            {
                views.Add(entry.View);
            }
        }

        return views;
    }

    /// <summary>Stops the loop, deletes this host's entry and announces it, so the other hosts drop it at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stopping.Dispose();
        _wake.Dispose();
        if (_view is null)
        {
            return;
        }

        try
        {
            await _subscriber.UnsubscribeAsync(_names.ProcsChanged).ConfigureAwait(false);
            await _database.ScriptEvaluateAsync(LeaveScript, [_names.ProcsKey(HostName)], [_names.ProcsChanged.ToString(), HostName]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            LogLeaveFailed(_logger, ex, HostName);
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _woken, 1) == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (ObjectDisposedException)
            {
                // Stopped: nothing to wake.
            }
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var period = Stopwatch.Frequency * (long)_timeout.TotalMilliseconds / 3000;
        var nextFull = Stopwatch.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            var writeDue = now >= nextFull;
            var full = writeDue || now >= EarliestRefresh();
            if (writeDue)
            {
                nextFull = now + period;
            }

            var failed = false;

            Volatile.Write(ref _woken, 0);
            try
            {
                if (!_subscribed)
                {
                    await _subscriber.SubscribeAsync(_names.ProcsChanged, (_, host) => OnChanged(host)).ConfigureAwait(false);
                    _subscribed = true;
                }

                if (Interlocked.Exchange(ref _changed, 0) == 1 || writeDue)
                {
                    await WriteAsync().ConfigureAwait(false);
                }

                if (full)
                {
                    _notified.Clear();
                    await ReadEveryHostAsync().ConfigureAwait(false);
                }
                else
                {
                    foreach (var host in _notified.Keys)
                    {
                        _notified.TryRemove(host, out _);
                        await ReadHostAsync(host).ConfigureAwait(false);
                    }
                }

                if (_failing)
                {
                    _failing = false;
                    LogRecovered(_logger, HostName);
                }
            }
#pragma warning disable CA1031 // Whatever fails (Redis, a view that throws) is logged once per outage; the loop goes on.
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
#pragma warning restore CA1031
            {
                failed = true;
                Volatile.Write(ref _changed, 1);
                if (!_failing)
                {
                    _failing = true;
                    LogFailed(_logger, ex, HostName);
                }
            }

            try
            {
                DropExpired();

                // After a failure, a pause: an entry due for a refresh would otherwise spin the loop while Redis is down.
                var until = Math.Min(nextFull, EarliestRefresh());
                var wait = Math.Max(failed ? Stopwatch.Frequency / 4 : 0, until - Stopwatch.GetTimestamp());
                await _wake.WaitAsync(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnChanged(RedisValue host)
    {
        var name = (string?)host;
        if (name is not null && !string.Equals(name, HostName, StringComparison.Ordinal))
        {
            _notified[name] = 0;
            Wake();
        }
    }

    /// <summary>Writes this host's entry and renews its expiry; announces it when something other than uptime, CPU or memory changed.</summary>
    private async Task WriteAsync()
    {
        var view = _view!();
        var steady = HostViewCodec.Processes(view.Processes, steady: true);
        var channels = HostViewCodec.Channels(view.Channels);
        steady += channels;
        var announce = !string.Equals(steady, _lastSteady, StringComparison.Ordinal);
        await _database.ScriptEvaluateAsync(
            WriteScript,
            [_names.ProcsKey(HostName)],
            [HostViewCodec.Processes(view.Processes, steady: false), channels, (long)_timeout.TotalMilliseconds, announce ? "1" : "0", _names.ProcsChanged.ToString(), HostName]).ConfigureAwait(false);
        _lastSteady = steady;
    }

    private async Task ReadEveryHostAsync()
    {
        var live = await _liveness.LiveHostsAsync().ConfigureAwait(false);
        var entries = new List<Entry>(live.Count);
        foreach (var host in live)
        {
            if (!string.Equals(host, HostName, StringComparison.Ordinal) && await ReadEntryAsync(host).ConfigureAwait(false) is { } entry)
            {
                entries.Add(entry);
            }
        }

        _others = [.. entries];
    }

    private async Task ReadHostAsync(string host)
    {
        var entry = await ReadEntryAsync(host).ConfigureAwait(false);
        var others = _others.Where(e => !string.Equals(e.View.Host, host, StringComparison.Ordinal)).ToList();
        if (entry is not null)
        {
            others.Add(entry);
            others.Sort((a, b) => string.CompareOrdinal(a.View.Host, b.View.Host));
        }

        _others = [.. others];
    }

    /// <summary>A host's entry with the moment its liveness expires, or null when it has none or is dead.</summary>
    private async Task<Entry?> ReadEntryAsync(string host)
    {
        var fields = await _database.HashGetAsync(_names.ProcsKey(host), ["processes", "channels"]).ConfigureAwait(false);
        var alive = await _database.KeyTimeToLiveAsync(_names.HostKey(host)).ConfigureAwait(false);
        if (fields[0].IsNull || fields[1].IsNull || alive is not { } ttl)
        {
            return null;
        }

        try
        {
            var view = HostViewCodec.Read(host, fields[0]!, fields[1]!);
            var now = Stopwatch.GetTimestamp();
            var deadline = now + (long)(ttl.TotalSeconds * Stopwatch.Frequency);

            // Read again at three quarters of the time left (a host with a shorter HostTimeout than this one's period
            // stays in view); a live host renewed at most a third of its timeout ago, so a key about to expire is a dead host's.
            var refreshAt = ttl < TimeSpan.FromMilliseconds(150) ? deadline : now + ((deadline - now) * 3 / 4);
            return new Entry(view, deadline, refreshAt);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            LogUnreadable(_logger, ex, host);
            return null;
        }
    }

    private long EarliestRefresh()
    {
        var earliest = long.MaxValue;
        foreach (var entry in _others)
        {
            earliest = Math.Min(earliest, entry.RefreshAt);
        }

        return earliest;
    }

    private void DropExpired()
    {
        var now = Stopwatch.GetTimestamp();
        if (_others.Any(e => e.Deadline <= now))
        {
            _others = [.. _others.Where(e => e.Deadline > now)];
        }
    }

    /// <summary>A copied entry: the host's view, when its liveness expires, and when to read it again before that.</summary>
    private sealed record Entry(HostView View, long Deadline, long RefreshAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host '{Host}' cannot publish or read the process registry on Redis; other hosts' processes are missing from its view until it can")]
    private static partial void LogFailed(ILogger logger, Exception exception, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Host '{Host}' publishes and reads the process registry on Redis again")]
    private static partial void LogRecovered(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The process registry entry of host '{Host}' on Redis is unreadable (another Firn version?); it is left out of the view")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Host '{Host}' could not delete its process registry entry on Redis at stop; it expires by itself")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string host);
}
