using System.Buffers.Binary;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The frames of an outbound buffer: the array swap, its growth and shrinking, the counters' layout, and the byte counts.</summary>
public sealed class OutboundFramesTests
{
    private readonly Lock _guard = new();

    [Fact]
    public void Counters_are_written_after_the_frames_as_a_channel_id_and_a_count_at_the_named_offsets()
    {
        var frames = new OutboundFrames(_guard);
        lock (_guard)
        {
            frames.AppendChannelFrame(FrameKind.Deliver, 3, [9]);
            frames.AddCounter(FrameKind.SendCredit, 0x01020304, 5);
            frames.AddCounter(FrameKind.SendCredit, 0x01020304, 6);
            Assert.True(frames.HasWork);

            var batch = frames.Take().ToArray();

            Assert.Equal([FrameKind.Deliver, FrameKind.SendCredit], Frames.Parse(batch).Select(f => f.Kind));
            var counter = batch.AsSpan(FrameFormat.HeaderSize + FrameFormat.ChannelIdSize + 1);
            Assert.Equal(FrameFormat.HeaderSize + FrameFormat.CounterBodySize, counter.Length);
            Assert.Equal((uint)FrameFormat.CounterBodySize, FrameFormat.ReadBodyLength(counter));
            Assert.Equal((byte)FrameKind.SendCredit, counter[FrameFormat.KindOffset]);
            Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(counter[FrameFormat.HeaderSize..]));
            Assert.Equal(11u, BinaryPrimitives.ReadUInt32LittleEndian(counter[FrameFormat.CounterCountOffset..]));
            Assert.False(frames.HasWork);
        }
    }

    [Fact]
    public void Batches_alternate_between_two_arrays_and_a_take_of_nothing_is_empty()
    {
        var frames = new OutboundFrames(_guard);
        lock (_guard)
        {
            Assert.Equal(0, frames.Take().Count);

            var taken = new List<byte[]>();
            for (var i = 0; i < 4; i++)
            {
                frames.Append(FrameKind.Ping, default, default);
                taken.Add(frames.Take().Array!);
                frames.CountWritten(FrameFormat.HeaderSize);
            }

            Assert.NotSame(taken[0], taken[1]);
            Assert.Same(taken[0], taken[2]);
            Assert.Same(taken[1], taken[3]);
            Assert.All(taken, array => Assert.Equal(OutboundFrames.InitialSize, array.Length));
        }
    }

    [Fact]
    public void A_grown_array_is_reused_up_to_the_shrink_size_and_one_byte_larger_is_dropped()
    {
        lock (_guard)
        {
            // A batch of exactly ShrinkAbove bytes grows the array to that size: it comes back as the array of the batch after next.
            Assert.Same(ThirdBatchArray(OutboundFrames.ShrinkAbove, out var grown), grown);

            // One byte more: the frame goes to an array rented from the pool, which goes back; appends start again in a small one.
            var reused = ThirdBatchArray(OutboundFrames.ShrinkAbove + 1, out grown);
            Assert.NotSame(grown, reused);
            Assert.Equal(OutboundFrames.InitialSize, reused.Length);
        }
    }

    [Fact]
    public void Frames_that_outgrow_the_array_come_out_whole_and_in_order()
    {
        var frames = new OutboundFrames(_guard);
        lock (_guard)
        {
            for (var i = 0; i < 100; i++)
            {
                frames.Append(FrameKind.Send, [(byte)i], new byte[i * 10]);
            }

            Assert.True(frames.Length > OutboundFrames.InitialSize);
            var parsed = Frames.Parse(frames.Take().ToArray());

            Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), parsed.Select(f => f.Body[0]));
            Assert.Equal(Enumerable.Range(0, 100).Select(i => 1 + (i * 10)), parsed.Select(f => f.Body.Length));
        }
    }

    [Fact]
    public void Frames_past_the_largest_kept_array_go_out_in_rented_arrays_one_batch_each_in_order()
    {
        var frames = new OutboundFrames(_guard);
        lock (_guard)
        {
            frames.Append(FrameKind.Send, [0], new byte[10]);
            frames.Append(FrameKind.Send, [1], new byte[OutboundFrames.ShrinkAbove]);
            frames.Append(FrameKind.Send, [2], new byte[OutboundFrames.ShrinkAbove]);
            frames.AddCounter(FrameKind.SendCredit, 7, 1);
            var expected = (3 * (FrameFormat.HeaderSize + 1)) + 10 + (2 * OutboundFrames.ShrinkAbove);
            Assert.Equal(expected, frames.Length);

            var bodies = new List<(FrameKind Kind, int Length)>();
            var total = 0;
            for (var batch = frames.Take(); batch.Count > 0; batch = frames.Take())
            {
                bodies.AddRange(Frames.Parse(batch.ToArray()).Select(f => (f.Kind, f.Body.Length)));
                total += batch.Count;
                frames.CountWritten(batch.Count);
            }

            Assert.Equal([(FrameKind.Send, 11), (FrameKind.Send, OutboundFrames.ShrinkAbove + 1), (FrameKind.Send, OutboundFrames.ShrinkAbove + 1), (FrameKind.SendCredit, FrameFormat.CounterBodySize)], bodies);
            Assert.Equal(expected + FrameFormat.HeaderSize + FrameFormat.CounterBodySize, total);
            Assert.Equal((0, 0L), (frames.Length, frames.Unwritten));
        }
    }

    [Fact]
    public void Bytes_stay_unwritten_from_append_through_take_and_carry_until_counted_written()
    {
        var frames = new OutboundFrames(_guard);
        lock (_guard)
        {
            frames.Append(FrameKind.Send, default, new byte[95]);
            Assert.Equal((100, 100L, 0), (frames.Length, frames.Unwritten, frames.InFlight));

            var batch = frames.Take();
            Assert.Equal((0, 100L, 100), (frames.Length, frames.Unwritten, frames.InFlight));

            // An inline write sent 30 bytes: the rest is carried to the write loop, ahead of anything appended since.
            frames.CountWritten(30);
            frames.Carry(batch[30..]);
            frames.Append(FrameKind.Ping, default, default);
            Assert.Equal((70L + FrameFormat.HeaderSize, 70), (frames.Unwritten, frames.InFlight));
            Assert.Equal(frames.UnwrittenBytes, frames.Unwritten);

            Assert.True(frames.TryTakeCarry(out var carry));
            Assert.Equal(70, carry.Count);
            Assert.False(frames.TryTakeCarry(out _));
            frames.CountWritten(70);
            Assert.Equal(FrameFormat.HeaderSize, frames.Take().Count);
            frames.CountWritten(FrameFormat.HeaderSize);

            Assert.Equal((0L, 0, 105L, 105L), (frames.Unwritten, frames.InFlight, frames.Appended, frames.Written));
        }
    }

    /// <summary>Takes a batch of <paramref name="size"/> bytes (its array is <paramref name="grown"/>), then two small ones; returns the third batch's array.</summary>
    private byte[] ThirdBatchArray(int size, out byte[] grown)
    {
        var frames = new OutboundFrames(_guard);
        frames.Append(FrameKind.Send, default, new byte[size - FrameFormat.HeaderSize]);
        grown = frames.Take().Array!;
        Assert.True(grown.Length >= size);
        frames.CountWritten(size);
        frames.Append(FrameKind.Ping, default, default);
        frames.CountWritten(frames.Take().Count);
        frames.Append(FrameKind.Ping, default, default);
        var third = frames.Take();
        frames.CountWritten(third.Count);
        return third.Array!;
    }
}
