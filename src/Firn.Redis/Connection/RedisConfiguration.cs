using StackExchange.Redis;

namespace Firn.Redis.Connection;

/// <summary>The configuration string of <see cref="FirnRedisOptions.Configuration"/>, read as StackExchange.Redis reads it, except for Unix socket paths.</summary>
internal static class RedisConfiguration
{
    /// <summary>
    /// The options the string gives, where an endpoint that is a path (starting with <c>/</c>) is a Unix socket: the
    /// client would read it as a host name.
    /// </summary>
    public static ConfigurationOptions Parse(string text)
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

    /// <summary>Whether the configuration string sets <paramref name="option"/> itself (<c>option=value</c>, any case).</summary>
    public static bool Mentions(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries).Any(part => part.StartsWith(option + "=", StringComparison.OrdinalIgnoreCase));

    /// <summary>Checks the string when the options are made, so that a typo fails there, not when the app starts.</summary>
    public static string Validate(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions parsed;
        try
        {
            parsed = Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The Redis configuration '{configuration}' is not valid: {ex.Message}", nameof(configuration), ex);
        }

        return parsed.EndPoints.Count > 0
            ? configuration
            : throw new ArgumentException($"The Redis configuration '{configuration}' names no server: give host:port or the path of a Unix socket.", nameof(configuration));
    }
}
