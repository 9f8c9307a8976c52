using StackExchange.Redis;

namespace Firn.Redis.Connection;

/// <summary>What a failed Redis command throws: a <see cref="RedisException"/> (connection, server), or a <see cref="RedisTimeoutException"/>, which is a <see cref="TimeoutException"/> and not a RedisException.</summary>
internal static class RedisFailure
{
    /// <summary>Whether <paramref name="exception"/> is Redis's failure (to be reported as such), not a bug of the caller.</summary>
    public static bool Is(Exception exception) => exception is RedisException or RedisTimeoutException;
}
