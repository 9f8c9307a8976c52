using Firn.Redis.Connection;

namespace Firn;

/// <summary>Puts a Firn application's store, pub/sub, channels, RPC and process list on Redis, shared by every main process that uses the same server and prefix.</summary>
public static class FirnRedisExtensions
{
    /// <summary>
    /// A copy of <paramref name="options"/> whose main process shares the store, pub/sub, channels, RPC and its process
    /// list with the other main processes on Redis. Its children keep talking to it as before (docs/redis.md).
    /// </summary>
    /// <param name="options">The app's options.</param>
    /// <param name="redis">Where and how to reach Redis.</param>
    /// <returns>The options with Redis.</returns>
    public static FirnAppOptions UseRedis(this FirnAppOptions options, FirnRedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redis);
        return options.WithBackend(new RedisBackend(redis));
    }

    /// <summary>As <see cref="UseRedis(FirnAppOptions, FirnRedisOptions)"/>, with the default prefix and timeouts.</summary>
    /// <param name="options">The app's options.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string (see <see cref="FirnRedisOptions.Configuration"/>).</param>
    /// <returns>The options with Redis.</returns>
    public static FirnAppOptions UseRedis(this FirnAppOptions options, string configuration) =>
        options.UseRedis(new FirnRedisOptions { Configuration = configuration });

    /// <summary>
    /// Keeps the store, pub/sub and channels of the app the Generic Host runs on Redis, whatever options <see cref="FirnBuilder.UseOptions(FirnAppOptions)"/>
    /// or configuration give (only the main process connects; in a child this changes nothing).
    /// </summary>
    /// <param name="builder">The Firn builder of <c>AddFirn</c>.</param>
    /// <param name="redis">Where and how to reach Redis.</param>
    /// <returns>The builder.</returns>
    public static FirnBuilder UseRedis(this FirnBuilder builder, FirnRedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(redis);
        builder.Backend = new RedisBackend(redis);
        return builder;
    }

    /// <summary>
    /// As <see cref="UseRedis(FirnBuilder, FirnRedisOptions)"/>, with the options read from a configuration section,
    /// for example <c>builder.Configuration.GetSection("Redis")</c> (a section of its own: the <c>Firn</c> section refuses keys it does not know): <c>Configuration</c> (required), <c>Prefix</c>,
    /// <c>ConnectTimeout</c>, <c>OperationTimeout</c> and <c>HostTimeout</c> (durations as <c>00:00:05</c>).
    /// </summary>
    /// <param name="builder">The Firn builder of <c>AddFirn</c>.</param>
    /// <param name="redisSection">The section holding the Redis settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FirnConfigurationException">A setting is missing, unknown or out of bounds; the message names it by its path.</exception>
    public static FirnBuilder UseRedis(this FirnBuilder builder, Microsoft.Extensions.Configuration.IConfiguration redisSection)
    {
        ArgumentNullException.ThrowIfNull(redisSection);
        return builder.UseRedis(Redis.RedisSettings.Read(redisSection));
    }
}
