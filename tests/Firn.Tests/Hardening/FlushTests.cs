using System.Collections.Concurrent;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hardening;

/// <summary>FlushAsync: what a child sent before it returns survives the child's death the next instant.</summary>
public sealed class FlushTests
{
    [Fact]
    public async Task Messages_a_child_flushed_arrive_even_though_it_kills_itself_right_after()
    {
        const int count = 20_000;
        var log = new TestLog();
        var app = TestApps.Create(log, ("doomed", ["send-flush-die", "last-words", count.ToString()]));
        var received = new ConcurrentQueue<int>();
        app.GetChannel<int>("last-words").OnReceive(received.Enqueue);
        await using var started = await TestApps.StartAsync(app);

        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("doomed").State == ProcessState.Exited, "the child killed itself");
        await TestApps.UntilAsync(() => received.Count == count, $"all {count} messages arrived");

        Assert.Equal(Enumerable.Range(0, count), received);
        Assert.Equal(137, app.Supervisor!.GetProcess("doomed").LastExitCode);
    }

    /// <summary>Each way a child can end while managed code still runs, and the exit code the main process sees.</summary>
    public static TheoryData<string, int> ManagedExits => new()
    {
        { "throw", 128 + 6 },
        { "exit", 3 },
        { "return", 0 },
        { "entry-throws", 1 },
    };

    /// <summary>
    /// A child sends numbered messages with <c>Send</c>, which only queues them, and ends the instant the last one is
    /// queued. The main process handles a small message several times slower than a child queues one, and the send
    /// window is opened to all of them, so at the end most are still in the child (without the flush on exit, "exit"
    /// and "throw" lose thousands). Every way out that runs managed code writes them first: all arrive, in order.
    /// </summary>
    [Theory]
    [MemberData(nameof(ManagedExits))]
    public async Task Messages_a_child_queued_arrive_when_it_ends_at_once_in_a_way_that_runs_managed_code(string way, int exitCode)
    {
        const int count = 20_000;
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { ChannelSendWindow = count }, ("dying", ["send-then-die", "numbered", count.ToString(), way]));
        var received = new ConcurrentQueue<int>();
        app.GetChannel<int>("numbered").OnReceive(received.Enqueue);
        await using var started = await TestApps.StartAsync(app);

        await TestApps.UntilAsync(() => app.Supervisor!.GetProcess("dying").State == ProcessState.Exited, "the child ended");
        await TestApps.UntilAsync(() => received.Count >= count, $"all {count} messages arrived (so far {received.Count})");

        Assert.Equal(Enumerable.Range(0, count), received);
        Assert.Equal(exitCode, app.Supervisor!.GetProcess("dying").LastExitCode);
    }

    [Fact]
    public async Task A_flush_waits_for_the_batch_that_holds_its_bytes_and_fails_when_the_connection_is_abandoned()
    {
        var buffer = new OutboundBuffer();
        Assert.True(await buffer.WaitUntilWrittenAsync());

        buffer.Append(FrameKind.Deliver, [1, 2, 3], default);
        var flush = buffer.WaitUntilWrittenAsync();
        Assert.False(flush.IsCompleted);
        await buffer.TakeAsync(CancellationToken.None);
        buffer.Append(FrameKind.Deliver, [4], default);
        var later = buffer.WaitUntilWrittenAsync();
        buffer.OnBatchWritten();

        Assert.True(await flush);
        Assert.False(later.IsCompleted);
        buffer.AbandonWaiters();
        Assert.False(await later);
        Assert.False(await buffer.WaitUntilWrittenAsync());
    }
}
