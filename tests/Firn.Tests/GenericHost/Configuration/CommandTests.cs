using Firn.GenericHost.Configuration;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>A process only configuration names is an external command, and needs an executable.</summary>
public sealed class CommandTests
{
    [Fact]
    public void A_configured_process_with_an_executable_is_a_command()
    {
        var section = FirnSection.Of(
            ("Processes:redis:Executable", "redis-server"),
            ("Processes:redis:Arguments:0", "--port"),
            ("Processes:redis:Arguments:1", "6390"),
            ("Processes:redis:Restart", "Permanent"),
            ("Processes:cache-warmer:Executable", "/usr/local/bin/warm"),
            ("Processes:nonebot:MaxRestarts", "2"));
        var settings = FirnSection.Bind(section);

        var commands = FirnConfiguration.Commands(settings, ["nonebot"]);

        Assert.Empty(FirnSection.Problems(section, FirnSection.Declaring("nonebot")));
        Assert.Equal(["cache-warmer", "redis"], commands.Select(c => c.Name));
        var redis = commands[1].Options;
        Assert.Equal("redis-server", redis.Executable);
        Assert.Equal(["--port", "6390"], redis.Arguments);
        Assert.Equal(RestartPolicy.Permanent, redis.Restart);
    }

    [Fact]
    public void A_configured_process_the_code_declares_in_another_case_is_not_a_command()
    {
        var settings = FirnSection.Bind(FirnSection.Of(("Processes:NoneBot:Executable", "/usr/bin/nonebot")));

        Assert.Empty(FirnConfiguration.Commands(settings, ["nonebot"]));
    }

    [Fact]
    public void An_unknown_process_without_an_executable_is_an_error_naming_the_key()
    {
        var section = FirnSection.Of(("Processes:nonebott:MaxRestarts", "2"));

        Assert.Equal(
            ["Firn:Processes:nonebott: no process named 'nonebott' is declared in code (declared: nonebot, worker); a process only configuration declares is a command and needs Firn:Processes:nonebott:Executable"],
            FirnSection.Problems(section, FirnSection.Declaring("nonebot", "worker")));
        Assert.Empty(FirnConfiguration.Commands(FirnSection.Bind(section), ["nonebot", "worker"]));
    }

    [Fact]
    public void A_command_from_configuration_needs_a_valid_name()
    {
        var problems = FirnSection.Problems(FirnSection.Of(("Processes:bad name:Executable", "/bin/true"), ("Processes:main:Executable", "/bin/true")));

        Assert.Equal(
            [
                "Firn:Processes:bad name: Process name 'bad name' may only contain ASCII letters, digits, '-', '_' and '.'",
                "Firn:Processes:main: 'main' is the main process's name; choose another name for the child",
            ],
            problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_command_named_after_a_configured_main_process_name_is_refused()
    {
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("MainProcessName", "conductor"), ("Processes:conductor:Executable", "/bin/true"))));

        Assert.StartsWith("Firn:Processes:conductor: 'conductor' is the main process's name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_may_override_the_executable_of_a_process_the_code_declares()
    {
        var code = new ProcessOptions { Executable = "/opt/old/worker", Arguments = ["--old"] };
        var settings = FirnSection.Bind(FirnSection.Of(("Processes:worker:Executable", "/opt/new/worker")));

        var options = FirnConfiguration.ToProcessOptions("worker", FirnConfiguration.SettingsFor(settings, "worker"), code);

        Assert.Equal("/opt/new/worker", options.Executable);
        Assert.Equal(["--old"], options.Arguments);
    }
}
