using Firn.Diagnostics;
using Firn.Hosting;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Hosting;

/// <summary>A child's standard output and error in the main process's log.</summary>
public sealed class ChildOutputTests
{
    [Fact]
    public async Task A_childs_output_and_log_lines_reach_the_main_log_under_its_name_with_their_levels()
    {
        var log = new CategoryLog();
        await using var app = await TestApps.StartAsync(SupervisedApps.Create(log.Factory, ("talker", SupervisedApps.Child(["print"]))));
        Assert.Equal("printed", await app.NextReportAsync("talker"));

        (LogLevel, string)[] expected =
        [
            (LogLevel.Information, "hello stdout"),
            (LogLevel.Warning, "hello stderr"),
            (LogLevel.Warning, "logged warning"),
            (LogLevel.Error, "logged error"),
            (LogLevel.Error, "System.InvalidOperationException: boom"),
        ];
        foreach (var (level, message) in expected)
        {
            await TestApps.UntilAsync(() => log.Entries.Any(e => e.Category == "talker" && e.Level == level && e.Message == message), $"'{message}' is logged at {level} under 'talker'");
        }

        // The child logs without time or name when its output is forwarded: the main process's log adds them once.
        Assert.All(log.Entries.Where(e => e.Category == "talker"), e => Assert.False(char.IsAsciiDigit(e.Message.FirstOrDefault()), e.Message));
    }

    [Theory]
    [InlineData("[INFO] hello", LogLevel.Information, "hello")]
    [InlineData("[WARN] careful: x", LogLevel.Warning, "careful: x")]
    [InlineData("[CRIT] down", LogLevel.Critical, "down")]
    [InlineData("[TRACE] ", LogLevel.Trace, "")]
    public void The_plain_format_level_tag_is_read_back(string line, LogLevel level, string message)
    {
        Assert.True(FirnLogFormat.TryParseLevelTag(line, out var parsed, out var start));
        Assert.Equal(level, parsed);
        Assert.Equal(message, line[start..]);
    }

    [Theory]
    [InlineData("plain text")]
    [InlineData("[NOPE] text")]
    [InlineData("[INFO]text")]
    [InlineData("[")]
    [InlineData("")]
    [InlineData("2026-11-23 10:00:00.000 [INFO] main: x")]
    public void A_line_without_a_level_tag_is_not_read_as_one(string line) =>
        Assert.False(FirnLogFormat.TryParseLevelTag(line, out _, out _));
}
