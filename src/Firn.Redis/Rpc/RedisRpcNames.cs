using Firn.Redis.Connection;
using StackExchange.Redis;

namespace Firn.Redis.Rpc;

/// <summary>
/// The RPC engine's keys: the registry <c>{prefix}:rpc:methods</c> (a hash: method → <c>"{instance} {host}"</c> of the
/// owning host), each host's request stream <c>{prefix}:rpc:req:{host}</c> and reply stream <c>{prefix}:rpc:rep:{host}</c>.
/// </summary>
internal sealed class RedisRpcNames(RedisNames names)
{
    /// <summary>The registry of methods and their owning hosts.</summary>
    public RedisKey Methods { get; } = $"{names.Prefix}:{RedisSegments.Rpc}:methods";

    /// <summary>What a host's request stream's name starts with (the host name follows); the call script completes it.</summary>
    public string RequestPrefix { get; } = $"{names.Prefix}:{RedisSegments.Rpc}:req:";

    /// <summary>What a host's liveness key's name starts with (see <see cref="RedisNames.HostKey"/>).</summary>
    public string HostKeyPrefix { get; } = (string)names.HostKey(string.Empty)!;

    public RedisKey Requests(string host) => RequestPrefix + host;

    public RedisKey Replies(string host) => $"{names.Prefix}:{RedisSegments.Rpc}:rep:{host}";

    /// <summary>A registry value: the owning host's instance id (32 hex digits), a space, its name.</summary>
    public static string Owner(string instance, string host) => instance + " " + host;
}
