using Firn.GenericHost.Configuration;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>The section as appsettings.json writes it: numbers, booleans, nested objects and arrays.</summary>
public sealed class JsonSectionTests
{
    [Fact]
    public void The_documented_example_with_every_key_is_valid_and_maps()
    {
        var section = FirnSection.OfJson(DocumentedExample());
        var code = FirnSection.Declaring("nonebot");

        var settings = FirnSection.Bind(section);
        var app = FirnConfiguration.ToAppOptions(settings, null);
        var nonebot = FirnConfiguration.ToProcessOptions("nonebot", FirnConfiguration.SettingsFor(settings, "nonebot"), null);
        var redis = Assert.Single(FirnConfiguration.Commands(settings, code.Processes.Keys));

        Assert.Empty(FirnSection.Problems(section, code));
        Assert.Equal("main", app.MainProcessName);
        Assert.Equal(TimeSpan.FromSeconds(10), app.HeartbeatTimeout);
        Assert.Equal(RestartPolicy.Transient, nonebot.Restart);
        Assert.True(nonebot.WaitForReadySignal);
        Assert.Equal(("redis", "redis-server", RestartPolicy.Permanent), (redis.Name, redis.Options.Executable, redis.Options.Restart));
        Assert.Equal(["--port", "6390"], redis.Options.Arguments);
        Assert.Equal("/var/lib/redis", redis.Options.WorkingDirectory);
    }

    [Fact]
    public void The_documented_example_names_every_setting()
    {
        var json = DocumentedExample();

        Assert.All(
            typeof(FirnSettings).GetProperties().Select(p => p.Name).Concat(typeof(ProcessSettings).GetProperties().Select(p => p.Name)),
            key => Assert.Contains($"\"{key}\":", json, StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_array_clears_the_code_arguments_and_an_empty_object_changes_nothing()
    {
        var section = FirnSection.OfJson("""{ "Firn": { "Processes": { "worker": { "Arguments": [], "Environment": {} }, "other": {} } } }""");
        var settings = FirnSection.Bind(section);
        var code = new ProcessOptions { Arguments = ["--old"], Environment = new Dictionary<string, string> { ["A"] = "1" } };

        var worker = FirnConfiguration.ToProcessOptions("worker", FirnConfiguration.SettingsFor(settings, "worker"), code);
        var other = FirnConfiguration.ToProcessOptions("other", FirnConfiguration.SettingsFor(settings, "other"), code);

        Assert.Empty(FirnSection.Problems(section, FirnSection.Declaring("worker", "other")));
        Assert.Empty(worker.Arguments);
        Assert.Equal("1", worker.Environment["A"]);
        Assert.Equal(["--old"], other.Arguments);
    }

    [Fact]
    public void A_JSON_number_where_a_time_span_belongs_is_reported()
    {
        var section = FirnSection.OfJson("""{ "Firn": { "StartTimeout": 30 } }""");

        Assert.Equal(["Firn:StartTimeout: '30' has no unit (a bare number would be read as days); write hh:mm:ss, for example 00:00:05"], FirnSection.Problems(section));
    }

    [Fact]
    public void The_documented_messages_are_the_ones_reported()
    {
        var code = FirnSection.Declaring("nonebot", "worker");
        code.Processes["nonebot"] = new ProcessOptions { RestartDelay = TimeSpan.FromSeconds(5) };
        (string, string?)[][] sections =
        [
            [("Processes:nonebot:MaxRestarts", "-1"), ("ChannelSendWindow", "0")],
            [("Processes:nonebot:RestartDelay", "abc"), ("Processes:nonebot:Restart", "Sometimes"), ("StartTimeout", "30")],
            [("Processes:nonebot:MaxRestart", "1"), ("MaxRestarts", "1")],
            [("HeartbeatInterval", "00:00:01"), ("HeartbeatTimeout", "00:00:01")],
            [("MaxMessageSize", "1024"), ("ConnectionBufferLimit", "66564")],
            [("Processes:nonebot:MaxRestartDelay", "00:00:04.9999999")],
            [("Processes:nonebott:MaxRestarts", "2"), ("Processes:bad name:Executable", "/bin/true")],
            [("MainProcessName", "nonebot")],
        ];

        var reported = sections.SelectMany(values => FirnSection.Problems(FirnSection.Of(values), code)).ToHashSet(StringComparer.Ordinal);

        Assert.All(DocumentedBlock("text").Split('\n'), line => Assert.Contains(line, reported));
    }

    /// <summary>The first JSON block of docs/configuration.md.</summary>
    private static string DocumentedExample() => DocumentedBlock("json");

    private static string DocumentedBlock(string language)
    {
        var lines = File.ReadAllLines(Path.Combine(Docs.MarkdownCode.RepositoryRoot, "docs", "configuration.md"));
        var start = Array.FindIndex(lines, l => l.Trim() == "```" + language) + 1;
        var end = Array.FindIndex(lines, start, l => l.Trim() == "```");
        return string.Join('\n', lines[start..end]);
    }
}
