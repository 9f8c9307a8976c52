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

        await TestApps.UntilAsync(() => app.GetProcess("doomed").State == Firn.Hosting.ProcessState.Exited, "the child killed itself");
        await TestApps.UntilAsync(() => received.Count == count, $"all {count} messages arrived");

        Assert.Equal(Enumerable.Range(0, count), received);
        Assert.Equal(137, app.GetProcess("doomed").LastExitCode);
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
