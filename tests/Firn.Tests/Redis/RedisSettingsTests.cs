using Firn.Redis.Connection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Firn.Tests.Redis;

/// <summary>UseRedis from a configuration section: every setting read, each bad one an error naming its key.</summary>
public sealed class RedisSettingsTests
{
    [Fact]
    public void Every_setting_is_read_from_the_section()
    {
        var options = Read(new()
        {
            ["Redis:Configuration"] = "redis.internal:6379,password=secret",
            ["Redis:Prefix"] = "orders",
            ["Redis:ConnectTimeout"] = "00:00:02",
            ["Redis:OperationTimeout"] = "00:00:00.750",
            ["Redis:HostTimeout"] = "00:00:00.300",
        });

        Assert.Equal(("redis.internal:6379,password=secret", "orders"), (options.Configuration, options.Prefix));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(750), TimeSpan.FromMilliseconds(300)), (options.ConnectTimeout, options.OperationTimeout, options.HostTimeout));
    }

    [Fact]
    public void Absent_settings_keep_their_defaults()
    {
        var options = Read(new() { ["Redis:Configuration"] = "localhost:6379" });
        var defaults = new FirnRedisOptions { Configuration = "localhost:6379" };
        Assert.Equal((defaults.Prefix, defaults.ConnectTimeout, defaults.OperationTimeout, defaults.HostTimeout), (options.Prefix, options.ConnectTimeout, options.OperationTimeout, options.HostTimeout));
    }

    [Theory]
    [InlineData("Redis:Prefix", "orders", "Redis:Configuration is required")]
    [InlineData("Redis:Configuration", "password=x", "Redis:Configuration: The Redis configuration 'password=x' names no server")]
    [InlineData("Redis:HostTimeout", "00:00:00.299", "Redis:HostTimeout: The host timeout must be at least 300 ms")]
    [InlineData("Redis:OperationTimeout", "soon", "Redis:OperationTimeout: 'soon' is not a duration")]
    [InlineData("Redis:Hostname", "x", "Redis:Hostname: unknown setting")]
    public void A_bad_setting_is_an_error_naming_its_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key != "Redis:Configuration" && key != "Redis:Prefix")
        {
            settings["Redis:Configuration"] = "localhost:6379";
        }

        var error = Assert.Throws<FirnConfigurationException>(() => Read(settings));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    private static FirnRedisOptions Read(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        FirnBuilder? firn = null;
        new ServiceCollection().AddFirn(builder => firn = builder.UseRedis(configuration.GetSection("Redis")));
        return ((RedisBackend)firn!.Backend!).Options;
    }
}
