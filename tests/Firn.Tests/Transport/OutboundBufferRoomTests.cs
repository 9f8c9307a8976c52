using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The room for the public API's frames (see OutboundBuffer.Room.cs), at its boundaries.</summary>
public sealed class OutboundBufferRoomTests
{
    private const int HardLimit = 1024 * 1024;

    [Fact]
    public async Task A_frame_that_fills_the_room_exactly_is_appended_and_one_byte_more_waits_until_a_write_makes_room()
    {
        var buffer = new OutboundBuffer(congestionLimit: HardLimit / 4, hardLimit: HardLimit);
        Assert.True(await buffer.AppendWhenRoomAsync(FrameKind.Publication, default, new byte[100], CancellationToken.None));
        var rest = (int)buffer.FlowLimit - OutboundBuffer.FrameSize(0, 100);

        var exact = buffer.AppendWhenRoomAsync(FrameKind.Publication, default, new byte[rest - FrameFormat.HeaderSize], CancellationToken.None);
        Assert.True(exact.IsCompletedSuccessfully);
        Assert.True(await exact);
        Assert.Equal(buffer.FlowLimit, buffer.UnwrittenBytes);
        var over = buffer.AppendWhenRoomAsync(FrameKind.Publication, default, new byte[1], CancellationToken.None).AsTask();
        Assert.False(over.IsCompleted);
        Assert.False(buffer.TryAppendWithinRoom(FrameKind.Publication, default, default), "a frame may not overtake one that waits");

        await buffer.TakeAsync(CancellationToken.None);
        buffer.OnBatchWritten();

        Assert.True(await over.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(OutboundBuffer.FrameSize(0, 1), buffer.UnwrittenBytes);
    }

    [Fact]
    public async Task Held_frames_are_appended_in_order_as_room_is_made_and_a_hard_limit_of_them_is_a_peer_that_is_not_reading()
    {
        var buffer = new OutboundBuffer(congestionLimit: HardLimit / 4, hardLimit: HardLimit);
        var overflowed = 0;
        buffer.Overflowed += () => overflowed++;
        var frame = OutboundBuffer.FrameSize(0, 64 * 1024);
        var held = 0;
        while (buffer.UnwrittenBytes + frame <= buffer.FlowLimit)
        {
            Assert.True(buffer.AppendOrHold(FrameKind.RpcReply, default, new byte[64 * 1024]));
        }

        var appended = buffer.UnwrittenBytes;
        for (; (held + 1) * frame <= HardLimit; held++)
        {
            Assert.True(buffer.AppendOrHold(FrameKind.RpcReply, [(byte)held], new byte[(64 * 1024) - 1]));
        }

        Assert.Equal(appended, buffer.UnwrittenBytes);
        Assert.Equal(appended + (held * frame), buffer.CommittedBytes);
        Assert.True(buffer.IsCongested);

        var first = await buffer.TakeAsync(CancellationToken.None);
        Assert.Equal(appended, first.Count);
        buffer.OnBatchWritten();
        var next = await buffer.TakeAsync(CancellationToken.None);
        Assert.True(next.Count >= frame && next.Count % frame == 0, $"{next.Count} bytes were let in");
        for (var i = 0; i < next.Count / frame; i++)
        {
            Assert.Equal((byte)i, next[(i * frame) + FrameFormat.HeaderSize]);
        }

        buffer.OnBatchWritten();

        Assert.Equal(0, overflowed);
        while (buffer.AppendOrHold(FrameKind.RpcReply, default, new byte[64 * 1024]))
        {
        }

        Assert.Equal(1, overflowed);
    }
}
