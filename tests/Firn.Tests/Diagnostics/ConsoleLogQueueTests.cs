using System.Text;
using Firn.Diagnostics;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Diagnostics;

/// <summary>The default console log's queue: bounded, never blocking a caller, and counting what it drops.</summary>
public sealed class ConsoleLogQueueTests
{
    [Fact]
    public async Task A_full_queue_drops_the_line_beyond_its_capacity_and_reports_the_count_once_it_has_room()
    {
        const int capacity = 8;
        using var console = new GatedWriter();
        using var provider = new FirnConsoleLoggerProvider("main", LogLevel.Information, plain: true, console, capacity);
        var logger = provider.CreateLogger("test");

        // The writer thread takes the first line and blocks on it: from then on nothing leaves the queue.
        logger.LogInformation("first");
        await TestApps.UntilAsync(() => console.Blocked, "the writer thread is blocked writing the first line");
        for (var i = 0; i < capacity; i++)
        {
            logger.LogInformation("kept {Index}", i);
        }

        logger.LogInformation("dropped");
        console.Open();
        await TestApps.UntilAsync(() => console.Lines.Count == capacity + 2, $"every kept line and the notice are written (so far: {string.Join(" | ", console.Lines)})");

        Assert.Equal(["[INFO] first", .. Enumerable.Range(0, capacity).Select(i => $"[INFO] kept {i}"), "[WARN] 1 log messages dropped: standard output was not read fast enough"], console.Lines);
    }

    [Fact]
    public async Task A_queue_with_room_drops_nothing_and_dispose_writes_what_waits()
    {
        using var console = new GatedWriter();
        var provider = new FirnConsoleLoggerProvider("main", LogLevel.Information, plain: false, console, 4);
        var logger = provider.CreateLogger("test");
        logger.LogInformation("first");
        await TestApps.UntilAsync(() => console.Blocked, "the writer thread is blocked writing the first line");
        for (var i = 0; i < 4; i++)
        {
            logger.LogWarning("kept {Index}", i);
        }

        console.Open();
        provider.Dispose();
        logger.LogError("after dispose");

        Assert.Equal(6, console.Lines.Count);
        Assert.EndsWith("[INFO] main: first", console.Lines[0], StringComparison.Ordinal);
        Assert.EndsWith("[WARN] main: kept 3", console.Lines[4], StringComparison.Ordinal);
        Assert.EndsWith("[ERROR] main: after dispose", console.Lines[5], StringComparison.Ordinal);
        Assert.DoesNotContain(console.Lines, l => l.Contains("dropped", StringComparison.Ordinal));
    }

    /// <summary>A console whose first write blocks until <see cref="Open"/>, as a pipe nobody reads does.</summary>
    private sealed class GatedWriter : TextWriter
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly List<string> _lines = [];
        private volatile bool _blocked;

        public override Encoding Encoding => Encoding.UTF8;

        public bool Blocked => _blocked;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Open() => _open.Set();

        public override void WriteLine(string? value)
        {
            if (!_open.IsSet)
            {
                _blocked = true;
                _open.Wait();
            }

            lock (_lines)
            {
                _lines.Add(value ?? string.Empty);
            }
        }

        protected override void Dispose(bool disposing)
        {
            _open.Dispose();
            base.Dispose(disposing);
        }
    }
}
