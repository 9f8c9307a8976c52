using System.Reflection;
using Firn.GenericHost.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>Every setting of the <c>Firn</c> section reaches the options, and configuration takes precedence over code.</summary>
public sealed class MappingTests
{
    private static readonly (string Key, string Value)[] EveryAppSetting =
    [
        ("MainProcessName", "conductor"),
        ("SocketDirectory", "/run/firn-test"),
        ("MaxMessageSize", "2048"),
        ("ChannelSendWindow", "7"),
        ("StartTimeout", "00:00:11"),
        ("ShutdownTimeout", "00:00:12"),
        ("StopTimeout", "00:00:13"),
        ("ShutdownHookTimeout", "00:00:14"),
        ("HandshakeTimeout", "00:00:15"),
        ("StoreMaxKeys", "16"),
        ("StoreMaxBytes", "17179869184"),
        ("CallTimeout", "Infinite"),
        ("MaxCallsInFlight", "18"),
        ("ConnectionBufferLimit", "1048576"),
        ("MaxChannelsPerProcess", "19"),
        ("HeartbeatInterval", "00:00:02"),
        ("HeartbeatTimeout", "00:00:20"),
        ("SocketPollWindow", "00:00:00.0002"),
        ("EnableMetrics", "false"),
        ("EnableAdmin", "false"),
        ("AdminDirectory", "/run/ops"),
        ("AppName", "ops-app"),
        ("AdminLogLines", "21"),
    ];

    private static readonly (string Key, string Value)[] EveryProcessSetting =
    [
        ("Executable", "/usr/bin/env"),
        ("Arguments:0", "sleep"),
        ("Arguments:1", "30"),
        ("Environment:MODE", "fast"),
        ("WorkingDirectory", "/tmp"),
        ("Restart", "permanent"),
        ("MaxRestarts", "9"),
        ("RestartWindow", "00:02:00"),
        ("RestartDelay", "00:00:00.250"),
        ("MaxRestartDelay", "00:00:04"),
        ("BackoffResetAfter", "00:01:00"),
        ("StopApplicationOnFailure", "true"),
        ("WaitForReadySignal", "True"),
        ("StartTimeout", "00:00:21"),
        ("ShutdownTimeout", "00:00:22"),
        ("KillTimeout", "00:00:03"),
        ("Output", "Inherit"),
    ];

    [Fact]
    public void Every_app_setting_reaches_FirnAppOptions()
    {
        var section = FirnSection.Of([.. EveryAppSetting]);

        var options = FirnConfiguration.ToAppOptions(FirnSection.Bind(section), fromCode: null);

        Assert.Empty(FirnSection.Problems(section));
        Assert.Equal("conductor", options.MainProcessName);
        Assert.Equal("/run/firn-test", options.SocketDirectory);
        Assert.Equal(2048, options.MaxMessageSize);
        Assert.Equal(7, options.ChannelSendWindow);
        Assert.Equal(TimeSpan.FromSeconds(11), options.StartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(13), options.StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(14), options.ShutdownHookTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.HandshakeTimeout);
        Assert.Equal(16, options.StoreMaxKeys);
        Assert.Equal(16L << 30, options.StoreMaxBytes);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.CallTimeout);
        Assert.Equal(18, options.MaxCallsInFlight);
        Assert.Equal(1 << 20, options.ConnectionBufferLimit);
        Assert.Equal(19, options.MaxChannelsPerProcess);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), options.HeartbeatTimeout);
        Assert.False(options.EnableMetrics);
        Assert.False(options.EnableAdmin);
        Assert.Equal("/run/ops", options.AdminDirectory);
        Assert.Equal("ops-app", options.AppName);
        Assert.Equal(21, options.AdminLogLines);
    }

    [Fact]
    public void Every_process_setting_reaches_ProcessOptions()
    {
        var section = FirnSection.Of([.. EveryProcessSetting.Select(s => ($"Processes:worker:{s.Key}", s.Value))]);
        var settings = FirnSection.Bind(section);

        var options = FirnConfiguration.ToProcessOptions("worker", FirnConfiguration.SettingsFor(settings, "worker"), fromCode: null);

        Assert.Empty(FirnSection.Problems(section, FirnSection.Declaring("worker")));
        Assert.Equal("/usr/bin/env", options.Executable);
        Assert.Equal(["sleep", "30"], options.Arguments);
        Assert.Equal("fast", options.Environment["MODE"]);
        Assert.Equal("/tmp", options.WorkingDirectory);
        Assert.Equal(RestartPolicy.Permanent, options.Restart);
        Assert.Equal(9, options.MaxRestarts);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RestartWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RestartDelay);
        Assert.Equal(TimeSpan.FromSeconds(4), options.MaxRestartDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), options.BackoffResetAfter);
        Assert.True(options.StopApplicationOnFailure);
        Assert.True(options.WaitForReadySignal);
        Assert.Equal(TimeSpan.FromSeconds(21), options.StartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(22), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.KillTimeout);
        Assert.Equal(ProcessOutput.Inherit, options.Output);
    }

    [Fact]
    public void The_tests_above_cover_every_settable_option()
    {
        // A new option must get a key (and a line above) or be named here as one configuration cannot hold.
        string[] codeOnly = [nameof(FirnAppOptions.Serializer), nameof(FirnAppOptions.LoggerFactory), nameof(FirnAppOptions.HandleSignals), nameof(FirnAppOptions.MeterFactory)];

        Assert.Equal(
            Settable(typeof(FirnAppOptions)).Except(codeOnly).Order(),
            EveryAppSetting.Select(s => s.Key).Order());
        Assert.Equal(
            Settable(typeof(ProcessOptions)).Order(),
            EveryProcessSetting.Select(s => s.Key.Split(':')[0]).Distinct().Order());
        Assert.Equal(Settable(typeof(FirnAppOptions)).Except(codeOnly).Append(nameof(FirnSettings.Processes)).Order(), Properties(typeof(FirnSettings)).Order());
        Assert.Equal(Settable(typeof(ProcessOptions)).Order(), Properties(typeof(ProcessSettings)).Order());
    }

    [Fact]
    public void Without_configuration_the_code_options_stay_as_they_are()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var logs = NullLoggerFactory.Instance;
        var serializer = new MessagePackFirnSerializer();
        var code = new FirnAppOptions
        {
            MainProcessName = "boss",
            SocketDirectory = "/run/boss",
            MaxMessageSize = 4096,
            ChannelSendWindow = 3,
            StartTimeout = TimeSpan.FromSeconds(1),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            StopTimeout = TimeSpan.FromSeconds(3),
            ShutdownHookTimeout = TimeSpan.FromSeconds(4),
            HandshakeTimeout = TimeSpan.FromSeconds(5),
            Serializer = serializer,
            LoggerFactory = logs,
            HandleSignals = false,
            StoreMaxKeys = 6,
            StoreMaxBytes = 7,
            CallTimeout = TimeSpan.FromSeconds(8),
            MaxCallsInFlight = 9,
            ConnectionBufferLimit = 1 << 17,
            MaxChannelsPerProcess = 10,
            HeartbeatInterval = TimeSpan.FromSeconds(11),
            HeartbeatTimeout = TimeSpan.FromSeconds(12),
            EnableMetrics = false,
            MeterFactory = meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
        };

        var options = FirnConfiguration.ToAppOptions(FirnSection.Bind(FirnSection.Of()), code);

        Assert.All(Settable(typeof(FirnAppOptions)), name =>
            Assert.Equal(typeof(FirnAppOptions).GetProperty(name)!.GetValue(code), typeof(FirnAppOptions).GetProperty(name)!.GetValue(options)));
    }

    [Fact]
    public void A_key_present_overrides_the_code_and_an_absent_key_keeps_it()
    {
        var code = new FirnAppOptions { MaxMessageSize = 4096, ChannelSendWindow = 3 };
        var section = FirnSection.Of(("ChannelSendWindow", "99"));

        var options = FirnConfiguration.ToAppOptions(FirnSection.Bind(section), code);

        Assert.Equal(99, options.ChannelSendWindow);
        Assert.Equal(4096, options.MaxMessageSize);
        Assert.Equal(new FirnAppOptions().StoreMaxKeys, options.StoreMaxKeys);
    }

    [Fact]
    public void The_default_connection_buffer_limit_follows_a_configured_message_size()
    {
        var section = FirnSection.Of(("MaxMessageSize", "536870912"));

        var options = FirnConfiguration.ToAppOptions(FirnSection.Bind(section), new FirnAppOptions());

        Assert.Empty(FirnSection.Problems(section));
        Assert.Equal(new FirnAppOptions { MaxMessageSize = 512 << 20 }.ConnectionBufferLimit, options.ConnectionBufferLimit);
        Assert.Null(options.ExplicitConnectionBufferLimit);
    }

    [Fact]
    public void Configured_arguments_replace_the_code_and_environment_variables_merge_by_name()
    {
        var code = new ProcessOptions
        {
            Arguments = ["--verbose", "--port", "1"],
            Environment = new Dictionary<string, string> { ["KEEP"] = "code", ["MODE"] = "code" },
            MaxRestarts = 2,
        };
        var section = FirnSection.Of(("Processes:worker:Arguments:0", "--quiet"), ("Processes:worker:Environment:MODE", "config"), ("Processes:worker:Environment:EXTRA", "1"));
        var settings = FirnSection.Bind(section);

        var options = FirnConfiguration.ToProcessOptions("worker", FirnConfiguration.SettingsFor(settings, "worker"), code);

        Assert.Equal(["--quiet"], options.Arguments);
        Assert.Equal(new Dictionary<string, string> { ["KEEP"] = "code", ["MODE"] = "config", ["EXTRA"] = "1" }, options.Environment);
        Assert.Equal(2, options.MaxRestarts);
        Assert.Equal(["--verbose", "--port", "1"], code.Arguments);
    }

    [Fact]
    public void Without_configuration_a_process_keeps_the_code_options()
    {
        var code = new ProcessOptions { MaxRestarts = 2, Restart = RestartPolicy.Temporary, StartTimeout = TimeSpan.FromSeconds(3) };

        var unnamed = FirnConfiguration.ToProcessOptions("worker", FirnConfiguration.SettingsFor(FirnSection.Bind(FirnSection.Of()), "worker"), code);
        var empty = FirnConfiguration.ToProcessOptions("worker", new ProcessSettings(), code);

        Assert.All(Settable(typeof(ProcessOptions)), name =>
        {
            var property = typeof(ProcessOptions).GetProperty(name)!;
            Assert.Equal(property.GetValue(code), property.GetValue(unnamed));
            Assert.Equal(property.GetValue(code), property.GetValue(empty));
        });
    }

    [Fact]
    public void Process_names_in_configuration_match_the_code_ignoring_case()
    {
        var settings = FirnSection.Bind(FirnSection.Of(("Processes:NoneBot:MaxRestarts", "1")));

        Assert.Equal(1, FirnConfiguration.SettingsFor(settings, "nonebot")?.MaxRestarts);
        Assert.Empty(FirnSection.Problems(FirnSection.Of(("Processes:NoneBot:MaxRestarts", "1")), FirnSection.Declaring("nonebot")));
    }

    [Fact]
    public void Mapping_out_of_bounds_settings_throws_as_the_options_do()
    {
        var settings = new FirnSettings { ChannelSendWindow = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => FirnConfiguration.ToAppOptions(settings, null));
        Assert.Throws<ArgumentException>(() => FirnConfiguration.ToProcessOptions("worker", new ProcessSettings { RestartDelay = TimeSpan.FromSeconds(9), MaxRestartDelay = TimeSpan.FromSeconds(8) }, null));
    }

    private static IEnumerable<string> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);

    private static IEnumerable<string> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);
}
