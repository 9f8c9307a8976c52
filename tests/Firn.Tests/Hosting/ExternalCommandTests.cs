using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>External commands (not Firn programs) under supervision.</summary>
public sealed class ExternalCommandTests
{
    [Fact]
    public async Task A_command_is_running_once_spawned_its_output_reaches_the_log_and_it_stops_with_SIGTERM()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory);
        app.AddCommand("shell", new ProcessOptions
        {
            Executable = "sh",
            Arguments = ["-c", "echo out-line; echo err-line >&2; exec sleep 600"],
        });
        await TestApps.StartAsync(app);

        var status = app.Supervisor!.GetProcess("shell");
        Assert.Equal(ProcessState.Running, status.State);
        Assert.NotNull(status.ProcessId);
        await TestApps.UntilAsync(() => log.Entries.Any(e => e is ("shell", LogLevel.Warning, "err-line")), "the command's stderr line is logged");
        await TestApps.UntilAsync(() => log.Entries.Any(e => e is ("shell", LogLevel.Information, "out-line")), "the command's stdout line is logged");

        await app.Supervisor!.StopProcessAsync("shell").WaitAsync(TestApps.Timeout);

        status = app.Supervisor!.GetProcess("shell");
        Assert.Equal(ProcessState.Exited, status.State);
        Assert.Equal(ProcessExitReason.Stopped, status.LastExitReason);
        Assert.Equal(15, status.LastSignal);
    }

    [Fact]
    public async Task A_command_that_keeps_failing_is_restarted_until_its_intensity_is_used_up()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory);
        app.AddCommand("flaky", new ProcessOptions
        {
            Executable = "sh",
            Arguments = ["-c", "exit 7"],
            Restart = RestartPolicy.Permanent,
            MaxRestarts = 2,
            RestartDelay = TimeSpan.FromMilliseconds(10),
        });
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);

        var failed = await states.WaitForAsync("flaky", ProcessState.Failed);

        Assert.Equal(ProcessExitReason.Crashed, failed.Status.LastExitReason);
        Assert.Equal(7, failed.Status.LastExitCode);
        Assert.Equal(2, app.Supervisor!.GetProcess("flaky").Restarts);
        Assert.Equal(3, states.For("flaky").Count(c => c.State == ProcessState.Running));
    }

    [Fact]
    public async Task A_command_that_does_not_exist_fails_to_start_with_a_clear_error()
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory);
        app.AddCommand("ghost", new ProcessOptions { Executable = "firn-no-such-command" });

        var error = await Assert.ThrowsAsync<FirnConfigurationException>(() => app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout));

        Assert.Equal("Process 'ghost': command 'firn-no-such-command' was not found on PATH or is not executable.", error.Message);
        Assert.Equal(ProcessState.Failed, app.Supervisor!.GetProcess("ghost").State);
        Assert.Equal(ProcessExitReason.StartFailed, app.Supervisor!.GetProcess("ghost").LastExitReason);
    }

    [Fact]
    public void Declaring_a_command_without_an_executable_fails_clearly()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new CategoryLog().Factory });

        var error = Assert.Throws<ArgumentException>(() => app.AddCommand("empty", new ProcessOptions()));
        Assert.Contains("ProcessOptions.Executable", error.Message, StringComparison.Ordinal);
    }
}
