using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>Flush waiters: each is released once its byte count is written, exactly at it, and none outlives the connection.</summary>
public sealed class OutboundFlushWaitersTests
{
    private readonly Lock _guard = new();

    [Fact]
    public async Task A_waiter_is_released_when_exactly_its_bytes_are_written_and_not_a_byte_before()
    {
        var waiters = new OutboundFlushWaiters(_guard);
        Task<bool> first, second, third;
        lock (_guard)
        {
            Assert.True(waiters.WaitFor(10, written: 10).IsCompletedSuccessfully, "nothing to wait for");
            first = waiters.WaitFor(20, written: 10);
            second = waiters.WaitFor(20, written: 10);
            third = waiters.WaitFor(30, written: 10);

            Assert.Null(waiters.Release(19));
            var done = waiters.Release(20);
            Assert.NotNull(done);
            Assert.Equal(2, done.Count);
            done.ForEach(d => d.TrySetResult(true));
            waiters.AssertInvariants(20);
        }

        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(third.IsCompleted);

        Task<bool> written, never;
        lock (_guard)
        {
            var abandoned = waiters.Abandon();
            Assert.NotNull(abandoned);
            abandoned.ForEach(w => w.Done.TrySetResult(false));
            waiters.AssertInvariants(20);

            // Once the connection is gone, a wait is answered at once: done if its bytes were written, else never.
            written = waiters.WaitFor(20, written: 20);
            never = waiters.WaitFor(21, written: 20);
            waiters.AssertInvariants(20);
        }

        Assert.False(await third.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(written.IsCompleted && never.IsCompleted);
        Assert.True(await written);
        Assert.False(await never);
    }
}
