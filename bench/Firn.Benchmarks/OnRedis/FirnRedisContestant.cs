using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// A "firn-redis" contestant: the case's Firn workload with the main process(es) on Redis (<c>UseRedis</c>), against a
/// redis-server of its own (<see cref="RedisServerProcess"/>). Where the case crosses hosts, the other host is another
/// OS process with a main process of its own on the same prefix (<see cref="OtherHost"/>); this process's app measures.
/// </summary>
/// <remarks>
/// Written against the public API only, as an application would be: two apps, distinct main-process names, a channel or
/// a method of one name. A run whose first message or call does not reach the other host within
/// <see cref="BenchSettings.RedisFirstReplyTimeout"/> fails with an error that says so, instead of waiting for the run's timeout.
/// </remarks>
internal abstract class FirnRedisContestant(BenchContext context, string caseId) : Contestant(FirnRedisName)
{
    private RedisServerProcess? _server;

    protected BenchContext Context { get; } = context;

    /// <summary>This run's namespace on the server: nothing of an earlier contestant's is seen.</summary>
    protected string Prefix { get; } = $"bench-{caseId.ToLowerInvariant()}-{Guid.NewGuid():N}"[..24];

    protected RedisServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>This process's app on Redis, once prepared.</summary>
    protected FirnApp App => AppOrNull ?? throw new InvalidOperationException("The app has not started.");

    protected FirnApp? AppOrNull { get; set; }

    /// <summary>The other host, where the case has one.</summary>
    protected OtherHost? Other { get; set; }

    /// <summary>Who does what, for the report's note, e.g. "host A (another process) sends, host B (this one) receives".</summary>
    protected abstract string Layout { get; }

    /// <summary>The options of every app of the Redis contestants: this server, this prefix, default timeouts.</summary>
    public static FirnRedisOptions RedisOptions(string configuration, string prefix) => new()
    {
        Configuration = configuration,
        Prefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(10),
    };

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        if (RedisServerProcess.Missing is { } missing)
        {
            return missing;
        }

        _server = await RedisServerProcess.StartAsync(Context, cancellationToken);
        Note = $"{Layout}; {_server.Version}, {RedisServerProcess.Conditions}";
        await StartAsync(cancellationToken);
        return null;
    }

    /// <summary>Starts this process's app (and the other host, if any).</summary>
    protected abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>A main-process app of this process on the server, named <paramref name="name"/>, with these children.</summary>
    protected FirnApp CreateApp(string name, IEnumerable<string> children) =>
        FirnApps.CreateMain(Context.QuietLogs, Context.TempDirectory, children, redis: RedisOptions(Server.Configuration, Prefix), mainProcessName: name);

    protected Task<OtherHost> StartOtherHostAsync(string name, string mode, CancellationToken cancellationToken) =>
        OtherHost.StartAsync(Context, Server.Configuration, Prefix, name, mode, cancellationToken);

    /// <summary>
    /// Waits for the first message or answer of a run from the other host; after <see cref="BenchSettings.RedisFirstReplyTimeout"/>
    /// fails with <paramref name="what"/> and why it may never come.
    /// </summary>
    protected async Task FirstFromOtherHostAsync(Task arrived, string what, CancellationToken cancellationToken)
    {
        var timeout = Context.Settings.RedisFirstReplyTimeout;
        try
        {
            await arrived.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw NeverArrived(what, timeout);
        }
    }

    /// <summary>The error of a first message or call that never reached the other host.</summary>
    protected TimeoutException NeverArrived(string what, TimeSpan timeout)
    {
        var gone = Other?.Gone is { } reason ? $" ({reason})" : string.Empty;
        return new TimeoutException(Format.Invariantly($"{what} within {timeout.TotalSeconds:0} s{gone}. ") +
            "Does this build carry channels and RPC across hosts on Redis (docs/redis.md)? Where they stay local to each main process, this case cannot complete.");
    }

    public override async ValueTask DisposeAsync()
    {
        if (Other is not null)
        {
            await Other.DisposeAsync();
        }

        if (AppOrNull is not null)
        {
            await AppOrNull.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
