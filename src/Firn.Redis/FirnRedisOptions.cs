using Firn.Redis.Connection;

namespace Firn;

/// <summary>Where a Firn application's main processes meet on Redis (or Valkey), and how long they wait for it.</summary>
public sealed class FirnRedisOptions
{
    private readonly string _configuration = string.Empty;
    private string _prefix = "firn";
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _hostTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The StackExchange.Redis configuration string: <c>host:port</c>, or the path of a Unix socket, with options after
    /// commas (<c>password=...</c>, <c>ssl=true</c>). Required; a string that does not parse, or names no server, is
    /// refused here with an <see cref="ArgumentException"/>.
    /// </summary>
    public required string Configuration
    {
        get => _configuration;
        init => _configuration = Redis.Connection.RedisConfiguration.Validate(value);
    }

    /// <summary>
    /// The namespace of this application on the server: every key and channel it uses starts with <c>{Prefix}:</c>, so
    /// several applications share one server. Every main process of one application uses the same prefix. Default <c>firn</c>.
    /// A segment after a colon may not be one of the names Firn puts after the prefix (<c>store</c>, <c>pubsub</c>,
    /// <c>host</c>, <c>hosts</c>, <c>procs</c>, <c>chan</c>, <c>chan-*</c>, <c>rpc</c>): <c>app:store</c> would share keys with <c>app</c>.
    /// </summary>
    public string Prefix
    {
        get => _prefix;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value, nameof(Prefix));

            // "{p}:store:..." of a prefix "{p}:store" would be the keys "store:..." of the prefix "{p}": two applications
            // would see each other's keys (and streams, hosts, methods) unless no segment after a colon is one of Firn's names.
            if (value.Split(':').Skip(1).FirstOrDefault(RedisSegments.All.Contains) is { } taken)
            {
                throw new ArgumentException($"The prefix '{value}' has the segment ':{taken}', a name Firn uses after a prefix: its keys would be among those of the prefix before it. Choose another segment.", nameof(Prefix));
            }

            _prefix = value;
        }
    }

    /// <summary>How long connecting (and each reconnecting attempt) may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = Positive(value, nameof(ConnectTimeout));
    }

    /// <summary>How long one command may wait for Redis's answer before the call fails. Default 5 seconds.</summary>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        init => _operationTimeout = Positive(value, nameof(OperationTimeout));
    }

    /// <summary>
    /// How long a main process (a host) counts as alive after it last renewed its liveness key on Redis; it renews every
    /// third of this. When a host dies, the others take over its unacknowledged messages and fail calls to its RPC
    /// methods once this has passed. Shorter detects a dead host sooner; too short counts a host that is merely slow
    /// (a long GC pause, a busy Redis) as dead. Default 5 seconds; at least 300 ms.
    /// </summary>
    public TimeSpan HostTimeout
    {
        get => _hostTimeout;
        init => _hostTimeout = value >= TimeSpan.FromMilliseconds(300) ? Positive(value, nameof(HostTimeout)) : throw new ArgumentOutOfRangeException(nameof(HostTimeout), value, "The host timeout must be at least 300 ms.");
    }

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue ? value : throw new ArgumentOutOfRangeException(name, value, "The timeout must be positive (and under 24 days).");
}
