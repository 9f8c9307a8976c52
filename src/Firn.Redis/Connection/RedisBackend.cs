using Firn.Hosting;
using Firn.Redis.Channels;
using Firn.Redis.Hosts;
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
        var configuration = Parse(Options.Configuration);

        // Not at construction: an app may start while Redis is down; calls fail clearly until it is back, and the
        // multiplexer keeps reconnecting (and resubscribing) by itself.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)Options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)Options.OperationTimeout.TotalMilliseconds;

        // While disconnected a call fails at once with a clear error instead of waiting in a backlog for the timeout.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= $"{Options.Prefix}:{context.ProcessName}";
        var multiplexer = ConnectionMultiplexer.Connect(configuration);
        var logger = context.LoggerFactory.CreateLogger("Firn.Redis");
        var names = new RedisNames(Options.Prefix);
        LogConnected(logger, Options.Prefix, multiplexer.IsConnected ? "connected" : "not reachable yet (it keeps trying)");
        var liveness = new RedisHostLiveness(multiplexer, names, RedisHostLiveness.HostNameOf(context.ProcessName), Options.HostTimeout, logger);
        var channels = new RedisChannelEngine(multiplexer, names, liveness, Options.HostTimeout, context.LoggerFactory.CreateLogger("Firn.Redis.Channels"));
        return new RedisConnection(multiplexer, liveness, new RedisStoreEngine(multiplexer, names, context.Serializer), new RedisPubSubEngine(multiplexer, names, logger), channels);
    }

    /// <summary>
    /// The configuration string, where an endpoint that is a path (starting with <c>/</c>) is a Unix socket: the client
    /// would read it as a host name.
    /// </summary>
    private static ConfigurationOptions Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var rest = string.Join(',', parts.Where(p => !p.StartsWith('/')));
        var configuration = rest.Length == 0 ? new ConfigurationOptions() : ConfigurationOptions.Parse(rest);
        foreach (var path in parts.Where(p => p.StartsWith('/')))
        {
            configuration.EndPoints.Add(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        }

        return configuration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Store and pub/sub on Redis, prefix '{Prefix}' ({State}); channels, RPC and the process list stay local to this main process")]
    private static partial void LogConnected(ILogger logger, string prefix, string state);
}

/// <summary>One main process's connection: one multiplexer for its commands and its subscriptions.</summary>
internal sealed class RedisConnection(ConnectionMultiplexer multiplexer, RedisHostLiveness liveness, RedisStoreEngine store, RedisPubSubEngine pubSub, RedisChannelEngine channels) : IFirnBackendConnection
{
    /// <summary>This host's liveness, and the other hosts'.</summary>
    public RedisHostLiveness Liveness => liveness;

    public Firn.Storage.IStoreEngine Store => store;

    public Firn.Storage.IPubSubEngine PubSub => pubSub;

    public Firn.Routing.IChannelEngine Channels => channels;

    public async ValueTask DisposeAsync()
    {
        // Before the liveness key goes: what this host consumed is acknowledged before the others may claim its entries.
        await channels.DisposeAsync().ConfigureAwait(false);
        await liveness.DisposeAsync().ConfigureAwait(false);
        await multiplexer.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }
}
