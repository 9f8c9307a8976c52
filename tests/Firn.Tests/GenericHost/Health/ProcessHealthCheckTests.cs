using Firn.Hosting;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Firn.Tests.GenericHost.Health;

/// <summary><c>AddHealthChecks().AddFirnProcesses()</c> over real children, read through the health check service.</summary>
public sealed class ProcessHealthCheckTests
{
    [Fact]
    public async Task Each_declared_child_has_a_check_that_is_degraded_before_start_and_healthy_with_its_data_while_running()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("alpha", ["idle"]), ("beta", ["idle"]));
        await using var provider = HealthServices(app, health => health.AddFirnProcesses());
        var checks = provider.GetRequiredService<HealthCheckService>();

        var before = await checks.CheckHealthAsync();
        Assert.Equal(["firn:alpha", "firn:beta"], before.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(before.Entries.Values, entry => Assert.Equal(HealthStatus.Degraded, entry.Status));
        Assert.Equal("NotStarted", before.Entries["firn:alpha"].Data["state"]);

        await TestApps.StartAsync(app);
        var report = await checks.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        foreach (var name in new[] { "alpha", "beta" })
        {
            var entry = report.Entries["firn:" + name];
            var status = app.Supervisor!.GetProcess(name);
            Assert.Equal(HealthStatus.Healthy, entry.Status);
            Assert.Equal($"'{name}' is running.", entry.Description);
            Assert.Equal("Running", entry.Data["state"]);
            Assert.Equal(status.ProcessId, entry.Data["pid"]);
            Assert.Equal(0, entry.Data["restarts"]);
            Assert.True((TimeSpan)entry.Data["uptime"] > TimeSpan.Zero);
            Assert.False(entry.Data.ContainsKey("lastExitReason"));
        }
    }

    [Fact]
    public async Task A_crashed_child_is_degraded_while_it_waits_to_be_restarted_and_healthy_again_once_restarted()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("crashy", SupervisedApps.Child(
            ["obey"], restartDelay: TimeSpan.FromMinutes(10), maxRestartDelay: TimeSpan.FromMinutes(10))));
        var states = new StateRecorder(app);
        await using var provider = HealthServices(app, health => health.AddFirnProcesses());
        var checks = provider.GetRequiredService<HealthCheckService>();
        await TestApps.StartAsync(app);

        app.Exit("crashy", await app.NextReportAsync("crashy"), 3);
        await states.WaitForAsync("crashy", ProcessState.Backoff);
        var entry = (await checks.CheckHealthAsync()).Entries["firn:crashy"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("'crashy' exited and waits to be restarted (last exit: Crashed, exit code 3).", entry.Description);
        Assert.Equal("Backoff", entry.Data["state"]);
        Assert.Equal("Crashed", entry.Data["lastExitReason"]);
        Assert.Equal(3, entry.Data["lastExitCode"]);
        Assert.False(entry.Data.ContainsKey("pid"));
        Assert.False(entry.Data.ContainsKey("uptime"));

        // The pending restart, now: the new instance is healthy and counts the restart.
        await app.Supervisor!.StartProcessAsync("crashy").WaitAsync(TestApps.Timeout);
        var restarted = (await checks.CheckHealthAsync()).Entries["firn:crashy"];
        Assert.Equal(HealthStatus.Healthy, restarted.Status);
        Assert.Equal(app.Supervisor.GetProcess("crashy").Restarts, restarted.Data["restarts"]);
        Assert.Equal("Crashed", restarted.Data["lastExitReason"]);
    }

    [Fact]
    public async Task A_failed_child_is_unhealthy_or_has_the_failure_status_a_call_asked_for()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("fragile", SupervisedApps.Child(["obey"], maxRestarts: 0)),
            ("steady", SupervisedApps.Child(["idle"])));
        var states = new StateRecorder(app);
        await using var provider = HealthServices(app, health => health
            .AddFirnProcesses()
            .AddFirnProcesses(namePrefix: "lenient:", failureStatus: HealthStatus.Degraded));
        var checks = provider.GetRequiredService<HealthCheckService>();
        await TestApps.StartAsync(app);

        app.Exit("fragile", await app.NextReportAsync("fragile"), 7);
        await states.WaitForAsync("fragile", ProcessState.Failed);
        var report = await checks.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["firn:fragile"].Status);
        Assert.Equal("Failed", report.Entries["firn:fragile"].Data["state"]);
        Assert.Equal("Crashed", report.Entries["firn:fragile"].Data["lastExitReason"]);
        Assert.Equal(7, report.Entries["firn:fragile"].Data["lastExitCode"]);
        Assert.Equal(HealthStatus.Degraded, report.Entries["lenient:fragile"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["firn:steady"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["lenient:steady"].Status);
    }

    [Fact]
    public async Task A_child_stopped_on_request_is_degraded()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("worker", ["idle"]));
        await using var provider = HealthServices(app, health => health.AddFirnProcesses());
        var checks = provider.GetRequiredService<HealthCheckService>();
        await TestApps.StartAsync(app);

        await app.Supervisor!.StopProcessAsync("worker").WaitAsync(TestApps.Timeout);
        var entry = (await checks.CheckHealthAsync()).Entries["firn:worker"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Exited", entry.Data["state"]);
        Assert.Equal("Stopped", entry.Data["lastExitReason"]);
    }

    [Fact]
    public async Task Every_check_carries_the_tags_of_its_call_and_a_predicate_selects_them()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("alpha", ["idle"]), ("beta", ["idle"]));
        await using var provider = HealthServices(app, health => health
            .AddFirnProcesses(tags: ["ready", "firn"])
            .AddCheck("database", () => HealthCheckResult.Healthy()));
        var checks = provider.GetRequiredService<HealthCheckService>();

        var ready = await checks.CheckHealthAsync(registration => registration.Tags.Contains("ready"));
        var all = await checks.CheckHealthAsync();

        Assert.Equal(["firn:alpha", "firn:beta"], ready.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(ready.Entries.Values, entry => Assert.Equal(["firn", "ready"], entry.Tags.Order(StringComparer.Ordinal)));
        Assert.Equal(["database", "firn:alpha", "firn:beta"], all.Entries.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_child_process_app_has_no_child_checks()
    {
        var log = new TestLog();
        await using var app = new FirnApp(
            new FirnAppOptions { LoggerFactory = log.Factory, HandleSignals = false },
            () => new ChildEnvironment("alpha", "/tmp/firn-health-unused.sock", "secret", ParentProcessId: 0));
        app.AddProcess("alpha", Idle).AddProcess("beta", Idle);
        await using var provider = HealthServices(app, health => health.AddFirnProcesses().AddCheck("self", () => HealthCheckResult.Healthy()));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Null(app.Supervisor);
        Assert.Equal(["self"], report.Entries.Keys);
    }

    [Fact]
    public async Task Without_a_FirnApp_in_the_container_the_health_check_service_says_what_is_missing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddFirnProcesses();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(provider.GetRequiredService<HealthCheckService>);

        Assert.Contains("AddFirnProcesses needs the FirnApp in the service container", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider HealthServices(FirnApp app, Action<IHealthChecksBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(app);
        configure(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }

    private static Task Idle(FirnProcessContext context) => Task.Delay(Timeout.Infinite, context.Stopping);
}
