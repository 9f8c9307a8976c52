using System.Globalization;
using System.Text.RegularExpressions;
using Firn.Diagnostics;
using Firn.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Diagnostics;

/// <summary>The two documented line formats of the default console log, written by <see cref="FirnConsoleFormatter"/>.</summary>
public sealed partial class FirnConsoleFormatterTests
{
    private static readonly string NewLine = Environment.NewLine;

    [Fact]
    public void The_default_format_is_local_time_level_process_name_and_message_on_one_line()
    {
        var before = DateTime.Now;
        var line = Write(plain: false, LogLevel.Information, "Passive receive: ping");
        var after = DateTime.Now;

        var match = DefaultLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal("[INFO] nonebot: Passive receive: ping" + NewLine, line[24..]);
        var time = DateTime.ParseExact(match.Groups["time"].Value, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Assert.InRange(time, before.AddMilliseconds(-1), after);
    }

    [Theory]
    [InlineData(LogLevel.Trace, "TRACE")]
    [InlineData(LogLevel.Debug, "DEBUG")]
    [InlineData(LogLevel.Information, "INFO")]
    [InlineData(LogLevel.Warning, "WARN")]
    [InlineData(LogLevel.Error, "ERROR")]
    [InlineData(LogLevel.Critical, "CRIT")]
    public void Each_level_has_its_tag_in_both_formats(LogLevel level, string tag)
    {
        Assert.Equal($"[{tag}] nonebot: text{NewLine}", Write(plain: false, level, "text")[24..]);
        Assert.Equal($"[{tag}] text{NewLine}", Write(plain: true, level, "text"));
    }

    [Fact]
    public void The_plain_format_tags_every_line_of_an_entry_and_its_exception()
    {
        var exception = new InvalidOperationException("boom");
        var line = Write(plain: true, LogLevel.Error, $"first{NewLine}second", exception);

        Assert.Equal("[ERROR] first" + NewLine + "[ERROR] second" + NewLine + "[ERROR] System.InvalidOperationException: boom" + NewLine, line);
    }

    [Fact]
    public void The_default_format_prefixes_only_the_first_line_and_appends_the_exception()
    {
        var line = Write(plain: false, LogLevel.Warning, $"first{NewLine}second", new InvalidOperationException("boom"));

        Assert.Equal($"[WARN] nonebot: first{NewLine}second{NewLine}System.InvalidOperationException: boom{NewLine}", line[24..]);
    }

    [Fact]
    public void A_line_a_child_wrote_shows_the_childs_name()
    {
        var entry = new LogEntry<ChildOutputLine>(LogLevel.Information, "talker", default, new ChildOutputLine("talker", "stdout", "hello"), null, ChildOutputLine.Format);

        Assert.Equal($"[INFO] talker: hello{NewLine}", Write(plain: false, entry)[24..]);
        Assert.Equal($"[INFO] hello{NewLine}", Write(plain: true, entry));
    }

    [Fact]
    public void A_plain_line_reads_back_as_its_level_and_message()
    {
        var line = Write(plain: true, LogLevel.Critical, "down");

        Assert.True(FirnLogFormat.TryParseLevelTag(line.TrimEnd(), out var level, out var start));
        Assert.Equal(LogLevel.Critical, level);
        Assert.Equal("down", line.TrimEnd()[start..]);
    }

    private static string Write(bool plain, LogLevel level, string message, Exception? exception = null) =>
        Write(plain, new LogEntry<string>(level, "Firn.Host", default, message, exception, (m, _) => m));

    private static string Write<TState>(bool plain, LogEntry<TState> entry)
    {
        using var formatter = new FirnConsoleFormatter(new FixedOptionsMonitor<FirnConsoleFormatterOptions>(new() { ProcessName = "nonebot", Plain = plain }));
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Write(entry, scopeProvider: null, output);
        return output.ToString();
    }

    [GeneratedRegex(@"^(?<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) \[INFO\] nonebot: Passive receive: ping\r?\n$")]
    private static partial Regex DefaultLine();
}
