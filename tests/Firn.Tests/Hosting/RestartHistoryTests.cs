using Firn.Hosting;

namespace Firn.Tests.Hosting;

/// <summary>Restart intensity and back-off arithmetic, and the checks on supervision options.</summary>
public sealed class RestartHistoryTests
{
    private static readonly ProcessOptions Options = new()
    {
        MaxRestarts = 3,
        RestartWindow = TimeSpan.FromSeconds(10),
        RestartDelay = TimeSpan.FromMilliseconds(100),
        MaxRestartDelay = TimeSpan.FromMilliseconds(500),
        BackoffResetAfter = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public void The_backoff_doubles_up_to_its_cap()
    {
        Assert.Equal(
            [100, 200, 400, 500, 500],
            Enumerable.Range(0, 5).Select(n => RestartHistory.Delay(n, Options).TotalMilliseconds));
        Assert.Equal(Options.MaxRestartDelay, RestartHistory.Delay(int.MaxValue, Options));
    }

    [Fact]
    public void The_intensity_allows_MaxRestarts_within_the_window_and_then_refuses()
    {
        var history = new RestartHistory();
        var t = TimeSpan.FromSeconds(100);

        Assert.Equal(TimeSpan.FromMilliseconds(100), history.TryRecordRestart(t, TimeSpan.Zero, Options));
        Assert.Equal(TimeSpan.FromMilliseconds(200), history.TryRecordRestart(t + TimeSpan.FromSeconds(1), TimeSpan.Zero, Options));
        Assert.Equal(TimeSpan.FromMilliseconds(400), history.TryRecordRestart(t + TimeSpan.FromSeconds(2), TimeSpan.Zero, Options));
        Assert.Null(history.TryRecordRestart(t + TimeSpan.FromSeconds(3), TimeSpan.Zero, Options));

        // Once the first restart has left the window, one more is allowed.
        Assert.NotNull(history.TryRecordRestart(t + TimeSpan.FromSeconds(10), TimeSpan.Zero, Options));
        Assert.Null(history.TryRecordRestart(t + TimeSpan.FromSeconds(10.5), TimeSpan.Zero, Options));
    }

    [Fact]
    public void A_long_enough_run_resets_the_backoff_and_Reset_forgets_everything()
    {
        var history = new RestartHistory();
        _ = history.TryRecordRestart(TimeSpan.FromSeconds(1), TimeSpan.Zero, Options);
        _ = history.TryRecordRestart(TimeSpan.FromSeconds(2), TimeSpan.Zero, Options);

        Assert.Equal(TimeSpan.FromMilliseconds(100), history.TryRecordRestart(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(5), Options));

        history.Reset();
        Assert.Equal(TimeSpan.FromMilliseconds(100), history.TryRecordRestart(TimeSpan.FromSeconds(9), TimeSpan.Zero, Options));
        Assert.NotNull(history.TryRecordRestart(TimeSpan.FromSeconds(9), TimeSpan.Zero, Options));
        Assert.NotNull(history.TryRecordRestart(TimeSpan.FromSeconds(9), TimeSpan.Zero, Options));
    }

    [Fact]
    public void Zero_MaxRestarts_fails_at_the_first_exit() =>
        Assert.Null(new RestartHistory().TryRecordRestart(TimeSpan.Zero, TimeSpan.Zero, new ProcessOptions { MaxRestarts = 0 }));

    [Fact]
    public void Invalid_supervision_options_are_refused_when_set()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { MaxRestarts = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { RestartWindow = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { RestartDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { MaxRestartDelay = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { BackoffResetAfter = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { StartTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { ShutdownTimeout = TimeSpan.FromSeconds(-5) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessOptions { KillTimeout = TimeSpan.Zero });
    }

    [Fact]
    public void A_cap_below_the_first_delay_is_refused_when_the_process_is_declared()
    {
        var app = new FirnApp(new FirnAppOptions { LoggerFactory = new CategoryLog().Factory });
        var options = new ProcessOptions { RestartDelay = TimeSpan.FromSeconds(10), MaxRestartDelay = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<ArgumentException>(() => app.AddProcess("capped", _ => { }, options));
        Assert.Contains("MaxRestartDelay (00:00:01) is shorter than RestartDelay (00:00:10)", error.Message, StringComparison.Ordinal);
    }
}
