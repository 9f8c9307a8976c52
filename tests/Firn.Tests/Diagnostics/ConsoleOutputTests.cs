using System.Globalization;
using Firn.Diagnostics;
using Firn.Tests.Hardening;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Diagnostics;

/// <summary>
/// The default console log on Microsoft.Extensions.Logging.Console's provider: bounded, never blocking a caller, and
/// counting what it drops. The provider takes standard output and error when it is created, so these tests swap them
/// and run alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ConsoleOutputTests
{
    [Fact]
    public async Task A_blocked_stdout_drops_the_lines_beyond_the_queue_without_blocking_the_caller_and_reports_the_count()
    {
        const int beyond = 10;
        using var stdout = new GatedWriter();
        using var stderr = new GatedWriter();
        stderr.Open();
        using var console = stdout.AsConsole(stderr, () => FirnConsole.CreateProvider("main", plain: true));
        var logger = console.CreateLogger("test");

        // The writer thread takes the first line and blocks on it: from then on nothing leaves the queue.
        logger.LogInformation("first");
        await TestApps.UntilAsync(() => stdout.Blocked, "the writer thread is blocked writing the first line");

        // Were a call to wait for the console, this would time out instead of hanging the test.
        await Task.Run(() =>
        {
            for (var i = 0; i < FirnConsole.MaxQueueLength + beyond; i++)
            {
                logger.LogInformation("kept {Index}", i);
            }
        }).WaitAsync(TestApps.Timeout);

        stdout.Open();
        await TestApps.UntilAsync(() => stdout.Lines.Count == FirnConsole.MaxQueueLength + 1, "the first line and every kept one are written");

        // The provider reports what it dropped along with the next line it queues.
        logger.LogWarning("after");
        await TestApps.UntilAsync(() => stdout.Lines.Count == FirnConsole.MaxQueueLength + 2 && stderr.Lines.Count > 0, "the next line and the count of the dropped ones are written");

        Assert.Equal(["[INFO] first", .. Enumerable.Range(0, FirnConsole.MaxQueueLength).Select(i => $"[INFO] kept {i}"), "[WARN] after"], stdout.Lines);
        var notice = Assert.Single(stderr.Lines, l => l.Length > 0);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{beyond} message(s) dropped because of queue size limit."), notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_provider_keeps_its_level_and_dispose_writes_what_waits_then_the_caller_writes_later_lines()
    {
        using var stdout = new GatedWriter();
        using var stderr = new GatedWriter();
        stderr.Open();
        var provider = new DefaultConsoleProvider("main", LogLevel.Information, plain: false);
        var logger = provider.CreateLogger("test");
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.True(logger.IsEnabled(LogLevel.Information));

        // The console provider is created (and takes standard output) at the first line at the level, not before.
        logger.LogDebug("below the level");
        stdout.AsConsole(stderr, () =>
        {
            logger.LogInformation("first");
            return 0;
        });
        await TestApps.UntilAsync(() => stdout.Blocked, "the writer thread is blocked writing the first line");
        logger.LogDebug("below the level");
        for (var i = 0; i < 4; i++)
        {
            logger.LogWarning("kept {Index}", i);
        }

        stdout.Open();
        provider.Dispose();
        logger.LogError("after dispose");

        Assert.Equal(6, stdout.Lines.Count);
        Assert.EndsWith("[INFO] main: first", stdout.Lines[0], StringComparison.Ordinal);
        Assert.EndsWith("[WARN] main: kept 3", stdout.Lines[4], StringComparison.Ordinal);
        Assert.EndsWith("[ERROR] main: after dispose", stdout.Lines[5], StringComparison.Ordinal);
        Assert.Empty(stderr.Lines);
    }

    [Fact]
    public void A_default_provider_disposed_before_its_first_line_has_the_caller_write_it()
    {
        using var stdout = new GatedWriter();
        using var stderr = new GatedWriter();
        stdout.Open();
        stderr.Open();
        var provider = new DefaultConsoleProvider("main", LogLevel.Information, plain: true);
        var logger = provider.CreateLogger("test");
        provider.Dispose();

        stdout.AsConsole(stderr, () =>
        {
            logger.LogWarning("late");
            return 0;
        });

        Assert.Equal(["[WARN] late"], stdout.Lines);
    }

    [Fact]
    public void A_factory_built_with_AddFirnConsole_writes_Firns_format()
    {
        using var stdout = new GatedWriter();
        using var stderr = new GatedWriter();
        stdout.Open();
        stderr.Open();
        var factory = stdout.AsConsole(stderr, () => LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFirnConsole("app")));
        var logger = factory.CreateLogger("test");
        logger.LogInformation("below the level");
        logger.LogWarning("careful");
        factory.Dispose();

        var line = Assert.Single(stdout.Lines);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \[WARN\] app: careful$", line);
    }
}
