using System.Text;
using Firn.GenericHost.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>The section in a real Generic Host: bound into <c>IOptions&lt;FirnSettings&gt;</c>, validated when the host starts.</summary>
public sealed class HostStartTests
{
    private const string AppSettings = """
        {
          "Logging": { "LogLevel": { "Default": "Warning" } },
          "Firn": {
            "MaxMessageSize": 1048576,
            "HeartbeatInterval": "00:00:02",
            "HeartbeatTimeout": "00:00:30",
            "CallTimeout": "Infinite",
            "Processes": {
              "nonebot": {
                "Restart": "Permanent",
                "MaxRestarts": 10,
                "RestartDelay": "00:00:00.500",
                "StopApplicationOnFailure": true,
                "Environment": { "NONEBOT_MODE": "prod" }
              },
              "redis": {
                "Executable": "redis-server",
                "Arguments": [ "--port", "6390" ],
                "Output": "Inherit"
              }
            }
          }
        }
        """;

    [Fact]
    public async Task A_valid_section_starts_the_host_and_is_injectable()
    {
        using var host = Build(json: AppSettings, code => code.Processes.Add("nonebot", new ProcessOptions { MaxRestarts = 1, WaitForReadySignal = true }));

        await host.StartAsync();
        var settings = host.Services.GetRequiredService<IOptions<FirnSettings>>().Value;
        var code = host.Services.GetRequiredService<CodeDeclarations>();
        var app = FirnConfiguration.ToAppOptions(settings, code.AppOptions);
        var nonebot = FirnConfiguration.ToProcessOptions("nonebot", FirnConfiguration.SettingsFor(settings, "nonebot"), code.Processes["nonebot"]);
        var commands = FirnConfiguration.Commands(settings, code.Processes.Keys);
        await host.StopAsync();

        Assert.Equal(1 << 20, app.MaxMessageSize);
        Assert.Equal(TimeSpan.FromSeconds(30), app.HeartbeatTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, app.CallTimeout);
        Assert.Equal((RestartPolicy.Permanent, 10, TimeSpan.FromMilliseconds(500), true, true), (nonebot.Restart, nonebot.MaxRestarts, nonebot.RestartDelay, nonebot.StopApplicationOnFailure, nonebot.WaitForReadySignal));
        Assert.Equal("prod", nonebot.Environment["NONEBOT_MODE"]);
        var redis = Assert.Single(commands);
        Assert.Equal(("redis", "redis-server", ProcessOutput.Inherit), (redis.Name, redis.Options.Executable, redis.Options.Output));
        Assert.Equal(["--port", "6390"], redis.Options.Arguments);
    }

    [Fact]
    public async Task An_out_of_bounds_value_fails_the_start_naming_the_key()
    {
        using var host = Build(("Firn:Processes:nonebot:MaxRestarts", "-1"), ("Firn:ChannelSendWindow", "0"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Firn:Processes:nonebot:MaxRestarts: MaxRestarts must be 0 or more (was -1)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Firn:ChannelSendWindow: The send window must be between 1 and 1,048,576 messages (was 0)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_value_fails_the_start_naming_the_key()
    {
        using var host = Build(("Firn:Processes:nonebot:RestartDelay", "abc"), ("Firn:Processes:nonebot:Restart", "Sometimes"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Firn:Processes:nonebot:Restart: 'Sometimes' is not one of Permanent, Transient, Temporary",
                "Firn:Processes:nonebot:RestartDelay: 'abc' is not a time span; write [d.]hh:mm:ss[.fffffff], for example 00:00:05, or Infinite",
            ],
            failure.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_undeclared_process_without_an_executable_fails_the_start()
    {
        using var host = Build(("Firn:Processes:nonebott:MaxRestarts", "2"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Firn:Processes:nonebott: no process named 'nonebott' is declared in code (declared: nonebot)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configure_after_registration_overrides_configuration()
    {
        using var host = Build(
            [("Firn:MaxCallsInFlight", "5")],
            services => services.Configure<FirnSettings>(s => s.MaxCallsInFlight = 7));

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(7, host.Services.GetRequiredService<IOptions<FirnSettings>>().Value.MaxCallsInFlight);
    }

    [Fact]
    public void Registering_twice_registers_once()
    {
        var services = new ServiceCollection();
        var section = FirnSection.Of(("MaxCallsInFlight", "5"));

        var first = FirnConfiguration.Register(services, section);
        var second = FirnConfiguration.Register(services, FirnSection.Of(("MaxCallsInFlight", "6")));

        Assert.Same(first, second);
        Assert.Single(services, s => s.ServiceType == typeof(IValidateOptions<FirnSettings>));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(5, provider.GetRequiredService<IOptions<FirnSettings>>().Value.MaxCallsInFlight);
    }

    private static IHost Build(params (string Key, string? Value)[] values) => Build(values, configure: null);

    private static IHost Build((string Key, string? Value)[] values, Action<IServiceCollection>? configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value)));
        var code = FirnConfiguration.Register(builder.Services, builder.Configuration.GetSection(FirnConfiguration.SectionName));
        code.Processes.Add("nonebot", null);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    private static IHost Build(string json, Action<CodeDeclarations> declare)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        declare(FirnConfiguration.Register(builder.Services, builder.Configuration.GetSection(FirnConfiguration.SectionName)));
        return builder.Build();
    }
}
