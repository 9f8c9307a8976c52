using Firn.GenericHost.Configuration;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>A value that cannot be read, or a key Firn does not know, is a problem naming the full key, not a binder exception.</summary>
public sealed class MalformedValueTests
{
    /// <summary>(key under Firn, value, the whole problem reported).</summary>
    public static TheoryData<string, string, string> Malformed() => new()
    {
        { "Processes:nonebot:RestartDelay", "abc", "Firn:Processes:nonebot:RestartDelay: 'abc' is not a time span; write [d.]hh:mm:ss[.fffffff], for example 00:00:05, or Infinite" },
        { "Processes:nonebot:RestartDelay", "5", "Firn:Processes:nonebot:RestartDelay: '5' has no unit (a bare number would be read as days); write hh:mm:ss, for example 00:00:05" },
        { "Processes:nonebot:Restart", "Sometimes", "Firn:Processes:nonebot:Restart: 'Sometimes' is not one of Permanent, Transient, Temporary" },
        { "Processes:nonebot:Restart", "1", "Firn:Processes:nonebot:Restart: '1' is not one of Permanent, Transient, Temporary" },
        { "Processes:nonebot:Output", "Forward,Inherit", "Firn:Processes:nonebot:Output: 'Forward,Inherit' is not one of Forward, Inherit" },
        { "Processes:nonebot:MaxRestarts", "ten", "Firn:Processes:nonebot:MaxRestarts: 'ten' is not a whole number from -2147483648 to 2147483647" },
        { "Processes:nonebot:StopApplicationOnFailure", "yes", "Firn:Processes:nonebot:StopApplicationOnFailure: 'yes' is not true or false" },
        { "MaxMessageSize", "4294967296", "Firn:MaxMessageSize: '4294967296' is not a whole number from -2147483648 to 2147483647" },
        { "StoreMaxBytes", "1e9", "Firn:StoreMaxBytes: '1e9' is not a whole number from -9223372036854775808 to 9223372036854775807" },
        { "HeartbeatTimeout", "10s", "Firn:HeartbeatTimeout: '10s' is not a time span; write [d.]hh:mm:ss[.fffffff], for example 00:00:05, or Infinite" },
        { "MaxRestarts", "1", "Firn:MaxRestarts: is not a Firn setting; it is a process setting: Firn:Processes:NAME:MaxRestarts" },
        { "MaxChanelsPerProcess", "1", "Firn:MaxChanelsPerProcess: is not a Firn setting; did you mean MaxChannelsPerProcess?" },
        { "Processes:nonebot:MaxRestart", "1", "Firn:Processes:nonebot:MaxRestart: is not a process setting; did you mean MaxRestarts?" },
        { "Processes:nonebot:Arguments", "--fast", "Firn:Processes:nonebot:Arguments: is the single value '--fast'; an array was expected (Arguments:0, Arguments:1, ...)" },
        { "Processes:nonebot:Environment", "A=1", "Firn:Processes:nonebot:Environment: is the single value 'A=1'; names with values were expected (Environment:NAME)" },
        { "Processes:nonebot:MaxRestarts:0", "1", "Firn:Processes:nonebot:MaxRestarts: is a section; a single value was expected" },
        { "Processes", "nonebot", "Firn:Processes: is the single value 'nonebot'; processes by name were expected" },
        { "Processes:nonebot:Arguments:0:x", "1", "Firn:Processes:nonebot:Arguments:0: is a section; a string was expected" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_value_that_cannot_be_read_is_reported_with_its_key(string key, string value, string problem)
    {
        var section = FirnSection.Of((key, value));

        Assert.Equal([problem], FirnSection.Problems(section, FirnSection.Declaring("nonebot")));
    }

    [Fact]
    public void An_unknown_key_far_from_any_setting_lists_the_settings()
    {
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("Processes:nonebot:Colour", "blue")), FirnSection.Declaring("nonebot")));

        Assert.StartsWith("Firn:Processes:nonebot:Colour: is not a process setting; they are Executable, Arguments, Environment, ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Binding_skips_what_it_cannot_read_and_keeps_the_rest()
    {
        var settings = FirnSection.Bind(FirnSection.Of(("Processes:nonebot:RestartDelay", "abc"), ("Processes:nonebot:MaxRestarts", "3"), ("Nonsense", "1")));

        var nonebot = FirnConfiguration.SettingsFor(settings, "nonebot");
        Assert.Null(nonebot?.RestartDelay);
        Assert.Equal(3, nonebot?.MaxRestarts);
    }

    [Fact]
    public void Names_and_true_false_are_read_ignoring_case_and_surrounding_spaces()
    {
        var settings = FirnSection.Bind(FirnSection.Of(("Processes:nonebot:Restart", " TEMPORARY "), ("Processes:nonebot:WaitForReadySignal", "FALSE"), ("Processes:nonebot:KillTimeout", " 00:00:07 "), ("CallTimeout", "infinite")));

        Assert.Equal(RestartPolicy.Temporary, settings.Processes["nonebot"].Restart);
        Assert.False(settings.Processes["nonebot"].WaitForReadySignal);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.Processes["nonebot"].KillTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, settings.CallTimeout);
    }

    [Fact]
    public void An_empty_or_null_value_is_absent()
    {
        var settings = FirnSection.Bind(FirnSection.Of(("MaxMessageSize", ""), ("StartTimeout", null), ("Processes:nonebot:Restart", "")));

        Assert.Null(settings.MaxMessageSize);
        Assert.Null(settings.StartTimeout);
        Assert.Null(settings.Processes["nonebot"].Restart);
    }

    [Fact]
    public void An_undefined_enum_value_set_in_code_is_a_problem_too()
    {
        var settings = new FirnSettings();
        settings.Processes["nonebot"] = new ProcessSettings { Restart = (RestartPolicy)7 };
        var validator = new FirnSettingsValidator(FirnSection.Of(), FirnSection.Declaring("nonebot"));

        var result = validator.Validate(Microsoft.Extensions.Options.Options.DefaultName, settings);

        Assert.Equal(["Firn:Processes:nonebot:Restart: must be one of Permanent, Transient, Temporary (was 7)"], result.Failures);
    }
}
