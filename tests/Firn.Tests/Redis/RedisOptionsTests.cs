namespace Firn.Tests.Redis;

/// <summary>FirnRedisOptions refuses what cannot work when it is made, with a message that names the value.</summary>
public sealed class RedisOptionsTests
{
    [Theory]
    [InlineData("localhost:6379")]
    [InlineData("/run/redis/redis.sock")]
    [InlineData("redis.internal:6379,password=secret,ssl=true")]
    [InlineData("/tmp/a.sock,password=secret")]
    public void A_valid_configuration_is_kept_as_given(string configuration) =>
        Assert.Equal(configuration, new FirnRedisOptions { Configuration = configuration }.Configuration);

    [Theory]
    [InlineData("localhost:6379,notAnOption=1", "is not valid")]
    [InlineData("password=secret", "names no server")]
    [InlineData(",", "names no server")]
    public void A_configuration_that_cannot_work_is_refused_naming_it(string configuration, string reason)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new FirnRedisOptions { Configuration = configuration });
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(configuration, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_configuration_is_refused(string configuration) =>
        Assert.ThrowsAny<ArgumentException>(() => new FirnRedisOptions { Configuration = configuration });

    [Fact]
    public void The_prefix_may_not_be_empty() =>
        Assert.ThrowsAny<ArgumentException>(() => new FirnRedisOptions { Configuration = "localhost", Prefix = string.Empty });
}
