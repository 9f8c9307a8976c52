using Firn.Transport;

namespace Firn.Tests.Transport;

public sealed class OutboundBufferCongestionTests
{
    [Fact]
    public async Task A_buffer_over_its_limit_is_congested_until_written_down_then_raises_Drained_once()
    {
        var buffer = new OutboundBuffer(congestionLimit: 100);
        var drained = 0;
        buffer.Drained += () => drained++;

        buffer.Append(FrameKind.Deliver, new byte[60], default);
        Assert.False(buffer.IsCongested);
        buffer.Append(FrameKind.Deliver, new byte[60], default);
        Assert.True(buffer.IsCongested);

        var batch = await buffer.TakeAsync(CancellationToken.None);
        Assert.Equal(2 * (FrameFormat.HeaderSize + 60), batch.Count);
        Assert.True(buffer.IsCongested);
        Assert.Equal(0, drained);
        buffer.OnBatchWritten();
        Assert.False(buffer.IsCongested);
        buffer.OnBatchWritten();

        Assert.Equal(1, drained);
    }

    [Fact]
    public async Task A_batch_taken_and_not_yet_written_counts_toward_the_limits()
    {
        // A writer blocked on a peer that stopped reading still holds its batch: the next frames must see it.
        var buffer = new OutboundBuffer(congestionLimit: 100, hardLimit: 200);
        var drained = 0;
        buffer.Drained += () => drained++;

        buffer.Append(FrameKind.Deliver, new byte[60], default);
        var batch = await buffer.TakeAsync(CancellationToken.None);
        Assert.Equal(0, buffer.PendingBytes);
        Assert.Equal(batch.Count, buffer.UnwrittenBytes);

        buffer.Append(FrameKind.Deliver, new byte[60], default);
        Assert.True(buffer.IsCongested);
        Assert.True(buffer.IsCongestedWith(0));
        Assert.False(buffer.Append(FrameKind.Deliver, new byte[200 - (2 * batch.Count) - FrameFormat.HeaderSize + 1], default));

        buffer.OnBatchWritten();
        Assert.Equal(batch.Count, buffer.UnwrittenBytes);
        Assert.False(buffer.IsCongested);
        Assert.Equal(1, drained);
    }

    [Fact]
    public async Task Congestion_counted_with_held_bytes_raises_Drained_once_written_down_though_the_buffer_stayed_within_its_limit()
    {
        var buffer = new OutboundBuffer(congestionLimit: 100);
        var drained = 0;
        buffer.Drained += () => drained++;

        buffer.Append(FrameKind.Deliver, new byte[40], default);
        var pending = buffer.PendingBytes;
        Assert.False(buffer.IsCongestedWith(100 - pending));
        Assert.True(buffer.IsCongestedWith(100 - pending + 1));
        Assert.False(buffer.IsCongested);

        await buffer.TakeAsync(CancellationToken.None);
        buffer.OnBatchWritten();

        Assert.Equal(1, drained);
    }

    [Fact]
    public async Task A_frame_that_fills_the_buffer_exactly_to_its_hard_limit_is_taken_and_one_byte_more_overflows_once()
    {
        const int limit = 1000;
        var buffer = new OutboundBuffer(congestionLimit: 250, hardLimit: limit);
        var overflows = 0;
        buffer.Overflowed += () => overflows++;

        Assert.True(buffer.Append(FrameKind.Deliver, new byte[limit - 100 - (2 * FrameFormat.HeaderSize)], default));
        Assert.True(buffer.Append(FrameKind.Deliver, new byte[100], default));
        Assert.Equal(limit, buffer.PendingBytes);
        Assert.False(buffer.Append(FrameKind.Deliver, [], default));
        Assert.False(buffer.Append(FrameKind.Deliver, new byte[1], default));

        Assert.Equal(1, overflows);
        Assert.Equal(limit, buffer.PendingBytes);
        Assert.Equal(limit, (await buffer.TakeAsync(CancellationToken.None)).Count);
        Assert.Equal(0, (await buffer.TakeAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Complete_with_data_pending_returns_the_data_then_the_end()
    {
        var buffer = new OutboundBuffer();
        buffer.Append(FrameKind.Stop, default, default);
        buffer.Complete();

        var first = await buffer.TakeAsync(CancellationToken.None);
        var second = await buffer.TakeAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(FrameFormat.HeaderSize, first.Count);
        Assert.Equal(0, second.Count);
    }
}
