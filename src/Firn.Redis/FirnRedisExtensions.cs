using Firn.Redis.Connection;

namespace Firn;

/// <summary>Puts a Firn application's store, pub/sub and channels on Redis, shared by every main process that uses the same server and prefix.</summary>
public static class FirnRedisExtensions
{
    /// <summary>
    /// A copy of <paramref name="options"/> whose main process keeps the store, pub/sub and channels on Redis. Its children
    /// keep talking to it as before; RPC and the process list stay local to each main process (docs/redis.md).
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
}
