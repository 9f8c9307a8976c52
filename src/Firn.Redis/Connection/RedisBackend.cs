using Firn.Hosting;
using Firn.Redis.Channels;
using Firn.Redis.Hosts;
using Firn.Redis.Rpc;
using Firn.Redis.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Connection;

/// <summary>The Redis backend: each main process connects once, and its store and pub/sub engines share that connection.</summary>
internal sealed partial class RedisBackend(FirnRedisOptions options) : IFirnBackend
{
    public string Name => "Redis";

    public FirnRedisOptions Options { get; } = options;

    public IFirnBackendConnection Connect(FirnBackendContext context)
    {
        var configuration = RedisConfiguration.Parse(Options.Configuration);

        // Not at construction: an app may start while Redis is down; calls fail clearly until it is back, and the
        // multiplexer keeps reconnecting (and resubscribing) by itself.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)Options.ConnectTimeout.TotalMilliseconds;

        // The client's default of 3 attempts would hold the app's constructor for 3 connect timeouts while Redis is
        // down; one is ConnectTimeout as documented, and the client keeps reconnecting by itself after it.
        if (!RedisConfiguration.Mentions(Options.Configuration, "connectRetry"))
        {
            configuration.ConnectRetry = 1;
        }

        configuration.SyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;

        // While disconnected a call fails at once with a clear error instead of waiting in a backlog for the timeout.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= $"{Options.Prefix}:{context.ProcessName}";
        var multiplexer = ConnectionMultiplexer.Connect(configuration);
        var logger = context.LoggerFactory.CreateLogger("Firn.Redis");
        var names = new RedisNames(Options.Prefix);
        var liveness = new RedisHostLiveness(multiplexer, names, RedisHostLiveness.HostNameOf(context.ProcessName), Options.HostTimeout, logger);
        LogConnected(logger, Options.Prefix, liveness.HostName, multiplexer.IsConnected ? "connected" : "not reachable yet (it keeps trying)");
        var processes = new RedisProcessRegistry(multiplexer, names, liveness, Options.HostTimeout, logger);
        var channels = new RedisChannelEngine(multiplexer, names, liveness, Options.HostTimeout, context.LoggerFactory.CreateLogger("Firn.Redis.Channels"));

        // RPC reads its streams with a blocking XREAD, which must not hold up the shared multiplexer: a connection of its own.
        var readerConfiguration = configuration.Clone();
        readerConfiguration.ClientName = configuration.ClientName + ":rpc";
        var rpc = new RedisRpcEngine(multiplexer, async () => await ConnectionMultiplexer.ConnectAsync(readerConfiguration).ConfigureAwait(false), names, liveness, Options, context.ProcessName, logger);
        return new RedisConnection(multiplexer, liveness, new RedisStoreEngine(multiplexer, names, context.Serializer), new RedisPubSubEngine(multiplexer, names, logger), processes, rpc, channels);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "On Redis as host '{Host}', prefix '{Prefix}' ({State}): the store, pub/sub, channels, RPC and the process list are shared with the other main processes of this prefix")]
    private static partial void LogConnected(ILogger logger, string prefix, string host, string state);
}

/// <summary>One main process's connection: one multiplexer for its commands and its subscriptions.</summary>
internal sealed class RedisConnection(ConnectionMultiplexer multiplexer, RedisHostLiveness liveness, RedisStoreEngine store, RedisPubSubEngine pubSub, RedisProcessRegistry processes, RedisRpcEngine rpc, RedisChannelEngine channels) : IFirnBackendConnection
{
    /// <summary>This host's liveness, and the other hosts'.</summary>
    public RedisHostLiveness Liveness => liveness;

    public Firn.Storage.IStoreEngine Store => store;

    public Firn.Storage.IPubSubEngine PubSub => pubSub;

    public IProcessRegistry Processes => processes;

    public Firn.Routing.IChannelEngine Channels => channels;

    public Firn.Rpc.IRpcEngine Rpc => rpc;

    /// <summary>The RPC engine itself, for diagnostics and tests.</summary>
    public RedisRpcEngine RpcEngine => rpc;

    private int _disposed;

    /// <summary>Leaves and disconnects; a second call (an app disposed twice) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Before the liveness key goes: what this host consumed is acknowledged before the others may claim its entries;
        // the methods are given back, so no host sees them owned by a dead host; then the registry's entry goes, so the
        // others drop this host's processes on its announcement.
        await channels.DisposeAsync().ConfigureAwait(false);
        await rpc.DisposeAsync().ConfigureAwait(false);
        await processes.DisposeAsync().ConfigureAwait(false);
        await liveness.DisposeAsync().ConfigureAwait(false);
        await multiplexer.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }
}
