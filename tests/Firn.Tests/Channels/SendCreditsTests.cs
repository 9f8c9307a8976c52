using Firn.Channels;

namespace Firn.Tests.Channels;

/// <summary>Send credits and the byte budget: taking, waiting without a lost wake, cancellation.</summary>
public sealed class SendCreditsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Credits_are_taken_until_none_is_left_and_come_back_when_added()
    {
        var credits = new SendCredits(2);
        Assert.True(credits.TryTake());
        Assert.True(credits.TryTake());
        Assert.False(credits.TryTake());

        credits.Add(1);
        Assert.Equal(1, credits.Available);
        Assert.True(credits.TryTake());
    }

    [Fact]
    public async Task A_blocked_and_an_awaiting_sender_both_resume_when_credits_arrive()
    {
        var credits = new SendCredits(0);
        var blocked = Task.Factory.StartNew(() => credits.Take(CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var awaiting = credits.TakeAsync(CancellationToken.None).AsTask();
        Assert.False(awaiting.IsCompleted);

        credits.Add(2);

        await Task.WhenAll(blocked, awaiting).WaitAsync(Timeout);
        Assert.Equal(0, credits.Available);
    }

    [Fact]
    public async Task A_wait_ends_with_cancellation_and_takes_nothing()
    {
        var credits = new SendCredits(0);
        using var cancel = new CancellationTokenSource();
        var blocked = Task.Factory.StartNew(() => credits.Take(cancel.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var awaiting = credits.TakeAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => awaiting.WaitAsync(Timeout));
        credits.Add(1);
        Assert.Equal(1, credits.Available);
    }

    [Fact]
    public async Task Many_senders_racing_grants_one_at_a_time_take_exactly_what_was_granted()
    {
        // Senders wait whenever no credit is left, so a lost wake-up would leave one stuck and the test would time out.
        const int Senders = 4, PerSender = 5_000;
        var credits = new SendCredits(0);
        long taken = 0;
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Factory.StartNew(
            async () =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    if (s % 2 == 0)
                    {
                        credits.Take(CancellationToken.None);
                    }
                    else
                    {
                        await credits.TakeAsync(CancellationToken.None);
                    }

                    Interlocked.Increment(ref taken);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();

        for (var i = 0; i < Senders * PerSender; i++)
        {
            credits.Add(1);
        }

        await Task.WhenAll(senders).WaitAsync(Timeout);
        Assert.Equal(Senders * PerSender, Interlocked.Read(ref taken));
        Assert.Equal(0, credits.Available);
    }

    [Fact]
    public async Task The_byte_budget_wakes_a_waiting_sender_when_bytes_are_released()
    {
        // A message counts as its frame (SendBudget.Cost: 9 bytes more than its payload).
        var budget = new SendBudget(100);
        Assert.True(budget.TryTake(91));
        var waiting = budget.TakeAsync(41, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        budget.Release(60);

        await waiting.WaitAsync(Timeout);
        Assert.Equal(90, budget.Outstanding);
    }
}
