using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Firn.Redis;

/// <summary>
/// <see cref="FirnRedisOptions"/> from a configuration section (<c>Configuration</c>, <c>Prefix</c>,
/// <c>ConnectTimeout</c>, <c>OperationTimeout</c>, <c>HostTimeout</c>; the timeouts as <c>hh:mm:ss</c> or
/// <c>00:00:00.500</c>). An unknown key or a value out of bounds is an error naming the key by its path.
/// </summary>
internal static class RedisSettings
{
    private static readonly string[] Known = ["Configuration", "Prefix", "ConnectTimeout", "OperationTimeout", "HostTimeout"];

    public static FirnRedisOptions Read(IConfiguration section)
    {
        var path = section is IConfigurationSection named ? named.Path : "(root)";
        if (section.GetChildren().FirstOrDefault(child => !Known.Contains(child.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new FirnConfigurationException($"{unknown.Path}: unknown setting; the Redis settings are {string.Join(", ", Known)}.");
        }

        var configuration = section["Configuration"];
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new FirnConfigurationException($"{path}:Configuration is required (host:port, or the path of Redis's Unix socket).");
        }

        var defaults = new FirnRedisOptions { Configuration = "localhost" };
        try
        {
            return new FirnRedisOptions
            {
                Configuration = configuration,
                Prefix = section["Prefix"] ?? defaults.Prefix,
                ConnectTimeout = Duration(section, path, "ConnectTimeout") ?? defaults.ConnectTimeout,
                OperationTimeout = Duration(section, path, "OperationTimeout") ?? defaults.OperationTimeout,
                HostTimeout = Duration(section, path, "HostTimeout") ?? defaults.HostTimeout,
            };
        }
        catch (ArgumentException ex)
        {
            // The options name the property that refused its value; the message names it by its path, without the
            // exception's own "(Parameter '...')" suffix.
            var reason = ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : ex.Message;
            var key = Known.FirstOrDefault(k => string.Equals(k, ex.ParamName, StringComparison.OrdinalIgnoreCase)) ?? ex.ParamName;
            throw new FirnConfigurationException($"{path}:{key}: {reason.ReplaceLineEndings(" ")}", ex);
        }
    }

    private static TimeSpan? Duration(IConfiguration section, string path, string key) =>
        section[key] is not { } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FirnConfigurationException($"{path}:{key}: '{text}' is not a duration (hh:mm:ss, e.g. 00:00:05).");
}
