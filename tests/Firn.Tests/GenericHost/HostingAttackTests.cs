using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Firn.Tests.GenericHost;

/// <summary>
/// Promises of docs/generic-host.md and docs/configuration.md checked from outside, each where the code once broke it.
/// This test process is a main process (it has no child environment); every start here fails before any child spawns.
/// </summary>
public sealed class HostingAttackTests
{
    [Fact]
    public async Task A_configured_main_process_name_that_a_child_already_has_fails_the_start_naming_the_key()
    {
        using var host = Build([("Firn:MainProcessName", "worker")], firn => firn.UseOptions(new FirnAppOptions { EnableAdmin = false, StopTimeout = TimeSpan.FromSeconds(5) }));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Firn:MainProcessName: is the name of the child 'worker' the code declares", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_that_contradicts_options_from_a_factory_fails_the_start_naming_the_key()
    {
        using var host = Build(
            [("Firn:HeartbeatTimeout", "00:00:03")],
            firn => firn.UseOptions(_ => new FirnAppOptions { EnableAdmin = false, StopTimeout = TimeSpan.FromSeconds(5), HeartbeatInterval = TimeSpan.FromSeconds(5) }));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            ["Firn:HeartbeatTimeout: must be longer than Firn:HeartbeatInterval (00:00:05), or a child would be killed between two pings; Infinite turns heartbeats off (was 00:00:03)"],
            failure.Failures);
    }

    [Fact]
    public async Task A_child_whose_listener_a_hosted_service_attaches_runs_its_entry_under_its_process_span()
    {
        await using var app = await HostAppProcess.StartAsync("trace");

        await app.WaitForLineAsync("report beta span=child beta name-tag=beta");
        await app.SendAsync("stop");
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task A_single_value_where_a_section_of_settings_belongs_fails_the_start_naming_the_key()
    {
        using var host = Build([("Firn", "on"), ("Firn:Processes:worker", "fast")], firn => firn.UseOptions(new FirnAppOptions { EnableAdmin = false, StopTimeout = TimeSpan.FromSeconds(5) }));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Firn: is the single value 'on'; Firn settings by name were expected",
                "Firn:Processes:worker: is the single value 'fast'; process settings by name were expected",
            ],
            failure.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_infinite_host_shutdown_timeout_fits_any_stop_bound()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        builder.AddFirn(firn => firn.UseOptions(new FirnAppOptions { EnableAdmin = false, SocketDirectory = "/tmp" }));
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task A_child_stopped_on_request_while_it_waits_to_be_restarted_is_degraded_not_unhealthy()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("crashy", SupervisedApps.Child(
            ["obey"], restartDelay: TimeSpan.FromMinutes(10), maxRestartDelay: TimeSpan.FromMinutes(10))));
        var states = new StateRecorder(app);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(app);
        services.AddHealthChecks().AddFirnProcesses();
        await using var provider = services.BuildServiceProvider();
        var checks = provider.GetRequiredService<HealthCheckService>();
        await TestApps.StartAsync(app);
        app.Exit("crashy", await app.NextReportAsync("crashy"), 3);
        await states.WaitForAsync("crashy", ProcessState.Backoff);

        // An operator stops the crash-looping child: stopped on purpose, not a failure its restart policy left down.
        await app.Supervisor!.StopProcessAsync("crashy").WaitAsync(TestApps.Timeout);
        var report = await checks.CheckHealthAsync();

        var entry = report.Entries["firn:crashy"];
        Assert.Equal("Exited", entry.Data["state"]);
        Assert.Equal("Crashed", entry.Data["lastExitReason"]);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    private static IHost Build((string Key, string? Value)[] values, Action<FirnBuilder> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value)));
        builder.AddFirn(firn =>
        {
            configure(firn);
            firn.AddProcess("worker", context => Task.Delay(Timeout.Infinite, context.Stopping));
        });
        return builder.Build();
    }
}
