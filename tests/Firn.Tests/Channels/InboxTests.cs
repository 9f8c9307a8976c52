using System.Diagnostics;
using Firn.Channels;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>The delivered-message buffer of an endpoint: order, wake-ups, completion and cancellation, and no lost wake under races.</summary>
public sealed class InboxTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Payloads_come_out_in_the_order_they_were_written_singly_or_in_batches()
    {
        var inbox = new Inbox();
        inbox.Write(new byte[] { 1 });
        inbox.WriteMany(new ReadOnlyMemory<byte>[] { new byte[] { 2 }, new byte[] { 3 } });
        inbox.Write(new byte[] { 4 });

        var read = new List<byte>();
        while (inbox.TryRead(out var payload))
        {
            read.Add(payload.Span[0]);
        }

        Assert.Equal([1, 2, 3, 4], read);
        Assert.True(inbox.IsEmpty);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_when_a_payload_arrives()
    {
        var inbox = new Inbox();
        var wait = inbox.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);

        inbox.WriteMany(new ReadOnlyMemory<byte>[] { new byte[] { 7 } });

        Assert.True(await wait.WaitAsync(Timeout));
        Assert.True(inbox.TryRead(out var payload));
        Assert.Equal(7, payload.Span[0]);
    }

    [Fact]
    public async Task Completion_lets_readers_drain_then_reports_finished_and_later_writes_are_ignored()
    {
        var inbox = new Inbox();
        var waiting = inbox.WaitToReadAsync(CancellationToken.None).AsTask();
        inbox.Write(new byte[] { 1 });
        inbox.Complete();
        inbox.Write(new byte[] { 2 });

        Assert.True(await waiting.WaitAsync(Timeout));
        Assert.False(inbox.IsFinished);
        Assert.True(inbox.TryRead(out _));
        Assert.True(inbox.IsFinished);
        Assert.False(inbox.TryRead(out _));
        Assert.False(await inbox.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Completion_wakes_a_reader_that_waits_on_an_empty_inbox_with_false()
    {
        var inbox = new Inbox();
        var wait = inbox.WaitToReadAsync(CancellationToken.None).AsTask();
        inbox.Complete();

        // Woken, it looks again (as every receive loop does) and sees the end.
        Assert.True(await wait.WaitAsync(Timeout));
        Assert.False(await inbox.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_wait_ends_with_cancellation_and_the_inbox_still_works()
    {
        var inbox = new Inbox();
        using var cancel = new CancellationTokenSource();
        var wait = inbox.WaitToReadAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await inbox.WaitToReadAsync(cancel.Token));

        var next = inbox.WaitToReadAsync(CancellationToken.None).AsTask();
        inbox.Write(new byte[] { 1 });
        Assert.True(await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Racing_writers_and_waiting_readers_lose_no_payload_and_no_wake()
    {
        // Readers that find the inbox empty always wait (never poll), so a lost wake would leave a payload unread
        // and this test would time out.
        const int Writers = 3, PerWriter = 20_000, Readers = 2;
        var inbox = new Inbox();
        var seen = new int[Writers * PerWriter];
        long taken = 0;
        var readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                while (inbox.TryRead(out var payload))
                {
                    Interlocked.Increment(ref seen[BitConverter.ToInt32(payload.Span)]);
                    Interlocked.Increment(ref taken);
                }

                if (!await inbox.WaitToReadAsync(CancellationToken.None))
                {
                    return;
                }
            }
        })).ToArray();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var number = (w * PerWriter) + i;
                if (i % 3 == 0)
                {
                    inbox.Write(BitConverter.GetBytes(number));
                }
                else
                {
                    inbox.WriteMany(new ReadOnlyMemory<byte>[] { BitConverter.GetBytes(number) });
                }
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(Timeout);
        var deadline = DateTime.UtcNow + Timeout;
        while (Interlocked.Read(ref taken) < seen.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        inbox.Complete();
        await Task.WhenAll(readers).WaitAsync(Timeout);
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_blocking_reader_that_has_gone_to_sleep_wakes_when_a_payload_arrives()
    {
        var inbox = new Inbox();
        var started = Stopwatch.StartNew();
        // An unbounded wait: were the write's wake lost, only the bounded Join below would end the test, failing it.
        var reader = new Thread(() => inbox.WaitToReceive(System.Threading.Timeout.InfiniteTimeSpan)) { IsBackground = true };
        reader.Start();

        // Past the short poll before sleeping, the reader sleeps on the monitor: only the writer's wake can end its wait.
        await TestApps.UntilAsync(() => started.ElapsedMilliseconds > 20 && (reader.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0, "the reader sleeps");
        inbox.Write(new byte[] { 1 });

        Assert.True(reader.Join(Timeout));
        Assert.True(inbox.TryRead(out _));
    }

    [Fact]
    public void Blocking_waits_time_out_with_false_and_a_zero_timeout_returns_at_once()
    {
        var inbox = new Inbox();
        Assert.False(inbox.WaitToReceive(TimeSpan.FromMilliseconds(30)));
        Assert.False(inbox.WaitToRead(TimeSpan.FromMilliseconds(30)));
        Assert.False(inbox.WaitToReceive(TimeSpan.Zero));

        inbox.Write(new byte[] { 1 });
        Assert.True(inbox.WaitToReceive(TimeSpan.Zero));
    }

    [Fact]
    public void Interrupt_ends_a_handler_threads_wait_but_not_an_active_receivers()
    {
        var inbox = new Inbox();
        inbox.Interrupt();

        Assert.True(inbox.WaitToRead(Timeout));
        Assert.False(inbox.WaitToReceive(TimeSpan.FromMilliseconds(30)));

        inbox.Complete();
        Assert.True(inbox.WaitToReceive(Timeout));
        Assert.True(inbox.IsFinished);
    }

    [Fact]
    public async Task Racing_writers_and_blocking_readers_lose_no_payload_and_no_wake()
    {
        // The blocking readers poll briefly and then sleep; writers pause now and then for longer than the poll, so both
        // ends of the wait meet the writers' wakes. A wake lost mid-stream is covered by the next write; one lost on the
        // last writes, with both readers asleep, leaves payloads untaken and this test times out.
        const int Writers = 2, PerWriter = 5_000, Readers = 2;
        var inbox = new Inbox();
        var seen = new int[Writers * PerWriter];
        long taken = 0;
        var readers = Enumerable.Range(0, Readers).Select(_ => new Thread(() =>
        {
            while (true)
            {
                while (inbox.TryRead(out var payload))
                {
                    Interlocked.Increment(ref seen[BitConverter.ToInt32(payload.Span)]);
                    Interlocked.Increment(ref taken);
                }

                if (!inbox.WaitToReceive(System.Threading.Timeout.InfiniteTimeSpan) || inbox.IsFinished)
                {
                    return;
                }
            }
        })
        { IsBackground = true }).ToArray();
        foreach (var reader in readers)
        {
            reader.Start();
        }

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                inbox.Write(BitConverter.GetBytes((w * PerWriter) + i));
                if (i % 500 == 0)
                {
                    Thread.Sleep(1);
                }
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(Timeout);
        await TestApps.UntilAsync(() => Interlocked.Read(ref taken) == seen.Length, "every payload was taken");
        inbox.Complete();
        Assert.All(readers, reader => Assert.True(reader.Join(Timeout)));
        Assert.All(seen, count => Assert.Equal(1, count));
    }
}
