using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The write loop's turn semaphore: counting, timed waits, and asynchronous waits.</summary>
public sealed class TurnSemaphoreTests
{
    [Fact]
    public void Turns_are_counted_and_a_wait_without_one_times_out()
    {
        var turns = new TurnSemaphore();
        Assert.False(turns.Wait(TimeSpan.FromMilliseconds(20)));

        turns.Release();
        turns.Release();
        Assert.Equal(2, turns.CurrentCount);
        Assert.True(turns.Wait(TimeSpan.Zero));
        Assert.True(turns.Wait(TimeSpan.Zero));
        Assert.False(turns.Wait(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_sleeping_waiter_and_an_async_waiter_each_get_a_turn()
    {
        var turns = new TurnSemaphore();
        var sleeping = Task.Factory.StartNew(() => turns.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var awaiting = turns.WaitAsync(CancellationToken.None);

        turns.Release();
        turns.Release();

        Assert.True(await sleeping.WaitAsync(TimeSpan.FromSeconds(30)));
        await awaiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, turns.CurrentCount);
    }
}
