using Firn.Redis.Connection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Hosts;

/// <summary>
/// Which main processes ("hosts") of the application are alive: each keeps a key <c>{prefix}:host:{name}</c> whose
/// value is its instance id and which expires after <see cref="FirnRedisOptions.HostTimeout"/> unless renewed (every
/// third of it), and is listed in the set <c>{prefix}:hosts</c>. A host whose key has expired is dead: the channel
/// and RPC engines claim its work or fail its calls from that moment.
/// </summary>
/// <remarks>
/// The key is written with the instance id, so a host that restarts under the same name (a container whose main
/// process is pid 1 again) takes over at once; the old instance, if it was not dead after all, sees its id replaced at
/// its next renewal and logs an error. Renewals that
/// fail (Redis down) are logged once per outage; the host counts as dead for the others until they succeed again.
/// <para>
/// Renewals run on a thread of their own with synchronous calls (answered by the client's socket thread), not on
/// the thread pool: a host whose pool is starved by its own work (a burst of handlers, a loaded machine) must not miss
/// two renewals in a row and look dead to the others while it is busy.
/// </para>
/// </remarks>
internal sealed partial class RedisHostLiveness : IAsyncDisposable
{
    private readonly IDatabase _database;
    private readonly RedisNames _names;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _renewed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _failing;
    private bool _renewedOnce;

    public RedisHostLiveness(IConnectionMultiplexer multiplexer, RedisNames names, string hostName, TimeSpan timeout, ILogger logger)
    {
        _database = multiplexer.GetDatabase();
        _names = names;
        _logger = logger;
        _timeout = timeout;
        HostName = hostName;

        // The first renewal before any engine starts, so this host is alive before it registers or consumes anything
        // (a failure here is logged, and the thread retries); the rest on the thread.
        RenewOnce();
        new Thread(Renew) { IsBackground = true, Name = "Firn Redis liveness" }.Start();
    }

    /// <summary>
    /// A main process's name among the hosts: <c>{MainProcessName}@{machine}:{pid}</c>, unique without configuration
    /// (two main processes may keep the default name <c>main</c>), and readable in <c>firnctl</c> and in Redis.
    /// </summary>
    public static string HostNameOf(string mainProcessName) => $"{mainProcessName}@{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>This main process's name among the hosts (<see cref="HostNameOf"/>).</summary>
    public string HostName { get; }

    /// <summary>This run's id: it tells a host's instances apart across restarts under one name.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether the host of that name is alive now (its key has not expired).</summary>
    public async Task<bool> IsAliveAsync(string hostName) =>
        await _database.KeyExistsAsync(_names.HostKey(hostName)).ConfigureAwait(false);

    /// <summary>The instance id of the host of that name while it is alive, otherwise <see langword="null"/>.</summary>
    public async Task<string?> InstanceOfAsync(string hostName) =>
        await _database.StringGetAsync(_names.HostKey(hostName)).ConfigureAwait(false);

    /// <summary>The names of the hosts alive now; dead ones are taken off the list as a side effect.</summary>
    public async Task<IReadOnlyList<string>> LiveHostsAsync()
    {
        var members = await _database.SetMembersAsync(_names.Hosts).ConfigureAwait(false);
        var alive = new List<string>(members.Length);
        foreach (var member in members)
        {
            var name = (string)member!;
            if (await IsAliveAsync(name).ConfigureAwait(false))
            {
                alive.Add(name);
            }
            else
            {
                await _database.SetRemoveAsync(_names.Hosts, member).ConfigureAwait(false);
            }
        }

        alive.Sort(StringComparer.Ordinal);
        return alive;
    }

    /// <summary>Stops renewing and deletes this host's key (only if it is still this instance's), so the others see it gone at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _renewed.Task.ConfigureAwait(false);
        _stopping.Dispose();
        try
        {
            await _database.ScriptEvaluateAsync(DeleteIfOurs, [_names.HostKey(HostName), _names.Hosts], [InstanceId, HostName]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            LogLeaveFailed(_logger, ex, HostName);
        }
    }

    private const string DeleteIfOurs = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('SREM', KEYS[2], ARGV[2])
        end
        return 0
        """;

    private void Renew()
    {
        try
        {
            var stopping = _stopping.Token;
            while (!stopping.WaitHandle.WaitOne(_timeout / 3))
            {
                RenewOnce();
            }
        }
        finally
        {
            _renewed.SetResult();
        }
    }

    private void RenewOnce()
    {
        try
        {
            var previous = _database.StringSetAndGet(_names.HostKey(HostName), InstanceId, _timeout);
            _database.SetAdd(_names.Hosts, HostName);
            if (!previous.IsNull && previous != InstanceId)
            {
                if (!_renewedOnce)
                {
                    LogTookOver(_logger, HostName);
                }
                else
                {
                    LogReplaced(_logger, HostName);
                }
            }

            _renewedOnce = true;
            if (_failing)
            {
                _failing = false;
                LogRenewed(_logger, HostName);
            }
        }
#pragma warning disable CA1031 // On a thread of its own an escaping exception would end the process (see below).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // On a thread of its own an escaping exception would end the process: a command cancelled by a
            // multiplexer closing under it (disposed, or torn down by a lost connection) is a failed renewal too, and
            // so is whatever else the client throws from a connection torn down mid-command (seen: its pipe's
            // InvalidOperationException "Reading is not allowed after reader was completed" while Redis was hung).
            if (!_failing)
            {
                _failing = true;
                LogRenewFailed(_logger, ex, HostName);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Host '{Host}' on Redis takes over the name from an earlier instance that did not leave")]
    private static partial void LogTookOver(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Error, Message = "Another main process took the host name '{Host}' on this Redis prefix (same name, machine and pid): the two now look like one host to the others")]
    private static partial void LogReplaced(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host '{Host}' cannot renew its liveness on Redis; the other hosts will count it dead until it can")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Host '{Host}' renews its liveness on Redis again")]
    private static partial void LogRenewed(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Host '{Host}' could not delete its liveness key on Redis at stop; it expires by itself")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string host);
}
