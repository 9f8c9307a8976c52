using System.Buffers.Binary;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>The batching write buffer: whole frames in per-producer order, counters summed per batch, and an orderly end.</summary>
public sealed class OutboundBufferTests
{
    [Fact]
    public async Task Frames_appended_from_several_threads_come_out_whole_and_in_per_thread_order()
    {
        const int threads = 4;
        const int perThread = 5_000;
        var buffer = new OutboundBuffer();
        var frames = new List<(FrameKind Kind, byte[] Body)>();
        var batches = 0;

        // Every batch must hold whole frames only; the reader stops once it has seen them all.
        var reading = Task.Run(async () =>
        {
            while (frames.Count < threads * perThread)
            {
                var batch = await buffer.TakeAsync(CancellationToken.None);
                Assert.NotEqual(0, batch.Count);
                batches++;
                frames.AddRange(Frames.Parse(batch.ToArray()));
            }
        });

        using var start = new Barrier(threads);
        var producers = Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                Span<byte> prefix = stackalloc byte[8];
                for (var sequence = 0; sequence < perThread; sequence++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(prefix, thread);
                    BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], sequence);

                    // Payload lengths vary so frames straddle any fixed boundary; the payload repeats the sequence byte.
                    var payload = new byte[sequence % 97];
                    payload.AsSpan().Fill((byte)sequence);
                    Assert.True(buffer.Append(FrameKind.Send, prefix, payload));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(producers).WaitAsync(TestApps.Timeout);
        await reading.WaitAsync(TestApps.Timeout);

        var next = new int[threads];
        foreach (var (kind, bodyArray) in frames)
        {
            Assert.Equal(FrameKind.Send, kind);
            var body = bodyArray.AsSpan();
            var thread = BinaryPrimitives.ReadInt32LittleEndian(body);
            var sequence = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            Assert.InRange(thread, 0, threads - 1);
            Assert.Equal(next[thread], sequence);
            Assert.Equal(8 + (sequence % 97), body.Length);
            Assert.True(body[8..].IndexOfAnyExcept((byte)sequence) < 0, $"frame {sequence} of thread {thread} has a torn payload");
            next[thread]++;
        }

        Assert.All(next, count => Assert.Equal(perThread, count));
        Assert.InRange(batches, 1, threads * perThread);
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public async Task Counters_added_several_times_for_one_kind_and_channel_are_summed_into_one_frame()
    {
        var buffer = new OutboundBuffer();
        buffer.AddCounter(FrameKind.SendCredit, 7, 1);
        buffer.AddCounter(FrameKind.SendCredit, 7, 2);
        buffer.AddCounter(FrameKind.SendCredit, 7, 3);
        buffer.AddCounter(FrameKind.SendCredit, 8, 10);
        buffer.AddCounter(FrameKind.Ack, 7, 4);
        buffer.AddCounter(FrameKind.Ack, 7, 5);

        var frames = Frames.Parse(await TakeAsync(buffer));

        Assert.Equal(
            [(FrameKind.SendCredit, 7u, 6u), (FrameKind.SendCredit, 8u, 10u), (FrameKind.Ack, 7u, 9u)],
            frames.Select(f => (f.Kind, Channel(f.Body), Count(f.Body))).Order());
        Assert.All(frames, f => Assert.Equal(8, f.Body.Length));

        // The next batch starts from zero.
        buffer.AddCounter(FrameKind.SendCredit, 7, 5);
        Assert.Equal([(FrameKind.SendCredit, 7u, 5u)], Frames.Parse(await TakeAsync(buffer)).Select(f => (f.Kind, Channel(f.Body), Count(f.Body))));
    }

    [Fact]
    public async Task Counters_follow_the_frames_already_appended_in_the_same_batch()
    {
        var buffer = new OutboundBuffer();
        Assert.True(buffer.AppendChannelFrame(FrameKind.Deliver, 3, [1, 2]));
        buffer.AddCounter(FrameKind.SendCredit, 3, 1);
        buffer.AddCounter(FrameKind.SendCredit, 3, 1);
        Assert.True(buffer.AppendChannelFrame(FrameKind.Deliver, 3, [3]));

        var frames = Frames.Parse(await TakeAsync(buffer));

        Assert.Equal([FrameKind.Deliver, FrameKind.Deliver, FrameKind.SendCredit], frames.Select(f => f.Kind));
        Assert.Equal([3, 0, 0, 0, 1, 2], frames[0].Body);
        Assert.Equal([3, 0, 0, 0, 3], frames[1].Body);
        Assert.Equal((3u, 2u), (Channel(frames[2].Body), Count(frames[2].Body)));
    }

    [Fact]
    public async Task Counters_added_from_several_threads_lose_nothing_and_appear_once_per_batch()
    {
        const int threads = 4;
        const int perThread = 20_000;
        const uint channels = 3;
        var buffer = new OutboundBuffer();
        var totals = new Dictionary<uint, ulong>();

        ulong taken = 0;
        var reading = Task.Run(async () =>
        {
            while (taken < (ulong)threads * perThread)
            {
                var batch = await buffer.TakeAsync(CancellationToken.None);
                Assert.NotEqual(0, batch.Count);
                var frames = Frames.Parse(batch.ToArray());
                var channelsInBatch = frames.Select(f => Channel(f.Body)).ToList();
                Assert.Equal(channelsInBatch.Count, channelsInBatch.Distinct().Count());
                foreach (var frame in frames)
                {
                    Assert.Equal(FrameKind.Ack, frame.Kind);
                    totals[Channel(frame.Body)] = totals.GetValueOrDefault(Channel(frame.Body)) + Count(frame.Body);
                    taken += Count(frame.Body);
                }
            }
        });

        var producers = Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < perThread; i++)
                {
                    buffer.AddCounter(FrameKind.Ack, (uint)(i % channels), 1);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(producers).WaitAsync(TestApps.Timeout);
        await reading.WaitAsync(TestApps.Timeout);

        Assert.Equal((ulong)threads * perThread, totals.Values.Aggregate(0UL, (a, b) => a + b));
        for (var channel = 0u; channel < channels; channel++)
        {
            var expected = (ulong)threads * (ulong)Enumerable.Range(0, perThread).Count(i => i % channels == channel);
            Assert.Equal(expected, totals[channel]);
        }
    }

    [Fact]
    public async Task Complete_on_an_empty_buffer_makes_the_next_take_return_an_empty_segment()
    {
        var buffer = new OutboundBuffer();
        buffer.Complete();

        var batch = await TakeAsync(buffer);

        Assert.Empty(batch);
    }

    [Fact]
    public async Task Complete_wakes_a_writer_that_is_already_waiting()
    {
        var buffer = new OutboundBuffer();
        var waiting = buffer.TakeAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        buffer.Complete();

        Assert.Equal(0, (await waiting.WaitAsync(TestApps.Timeout)).Count);
    }

    [Fact]
    public async Task Complete_drains_what_was_buffered_then_returns_an_empty_segment()
    {
        var buffer = new OutboundBuffer();
        Assert.True(buffer.Append(FrameKind.Ready, default, default));
        Assert.True(buffer.AppendChannelFrame(FrameKind.Send, 1, [42]));
        buffer.AddCounter(FrameKind.Ack, 1, 2);

        buffer.Complete();

        var drained = Frames.Parse(await TakeAsync(buffer));
        Assert.Equal([FrameKind.Ready, FrameKind.Send, FrameKind.Ack], drained.Select(f => f.Kind));

        // The writer loop calls TakeAsync again after every batch; once completed and drained it must get an empty segment.
        var end = await TakeAsync(buffer);
        Assert.Empty(end);
    }

    [Fact]
    public async Task Complete_after_the_writer_took_a_batch_still_ends_the_writer()
    {
        var buffer = new OutboundBuffer();
        Assert.True(buffer.Append(FrameKind.Ready, default, default));
        Assert.Single(Frames.Parse(await TakeAsync(buffer)));

        var waiting = buffer.TakeAsync(CancellationToken.None).AsTask();
        buffer.Complete();

        Assert.Equal(0, (await waiting.WaitAsync(TestApps.Timeout)).Count);
    }

    [Fact]
    public async Task Append_after_Complete_returns_false_and_adds_nothing()
    {
        var buffer = new OutboundBuffer();
        buffer.Complete();

        Assert.False(buffer.Append(FrameKind.Send, [1, 2, 3, 4], [5]));
        Assert.False(buffer.AppendChannelFrame(FrameKind.Deliver, 9, [1]));
        buffer.AddCounter(FrameKind.SendCredit, 9, 1);

        Assert.Equal(0, buffer.PendingBytes);
        Assert.Empty(await TakeAsync(buffer));
    }

    [Fact]
    public async Task A_frame_larger_than_the_initial_buffer_comes_out_whole()
    {
        var buffer = new OutboundBuffer();
        var payload = new byte[200_000];
        new Random(7).NextBytes(payload);
        Assert.True(buffer.Append(FrameKind.Ready, default, default));
        Assert.True(buffer.AppendChannelFrame(FrameKind.Send, 5, payload));
        Assert.Equal(FrameFormat.HeaderSize + FrameFormat.HeaderSize + 4 + payload.Length, buffer.PendingBytes);

        var frames = Frames.Parse(await TakeAsync(buffer));

        Assert.Equal(2, frames.Count);
        Assert.Equal(5u, Channel(frames[1].Body));
        Assert.True(frames[1].Body.AsSpan(4).SequenceEqual(payload));
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public async Task A_take_waits_for_a_frame_and_honours_cancellation()
    {
        var buffer = new OutboundBuffer();
        using var cancel = new CancellationTokenSource();
        var waiting = buffer.TakeAsync(cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestApps.Timeout));

        Assert.True(buffer.Append(FrameKind.Ready, default, default));
        Assert.Single(Frames.Parse(await TakeAsync(buffer)));
    }

    /// <summary>Takes one batch, copied (the buffer reuses its array), failing rather than hanging if none comes.</summary>
    private static async Task<byte[]> TakeAsync(OutboundBuffer buffer)
    {
        using var timeout = new CancellationTokenSource(TestApps.Timeout);
        try
        {
            return [.. await buffer.TakeAsync(timeout.Token)];
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"TakeAsync returned nothing within {TestApps.Timeout}.");
            throw;
        }
    }


    private static uint Channel(byte[] body) => BinaryPrimitives.ReadUInt32LittleEndian(body);

    private static uint Count(byte[] body) => BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(4));
}
