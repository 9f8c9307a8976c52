using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// A frame too large for the steady read buffer (256 KiB) is read straight into a pooled body of its own, which a handler
/// may keep (<see cref="ReceivedBody.Keep"/>) without a copy and which goes back to the pool once its last holder lets go;
/// every other frame is read into the reused buffer and kept as a copy. Either way frames arrive whole and in order,
/// however the peer splits its writes.
/// </summary>
public sealed class ConnectionLargeBodyTests
{
    private const int Steady = 256 * 1024;

    /// <summary>(body length, whether it is read into a pooled body): the boundary, and large bodies.</summary>
    public static TheoryData<int, bool> Bodies => new()
    {
        { 8, false },
        { Steady - 1, false },
        { Steady, false },
        { Steady + 1, true },
        { 1024 * 1024, true },
        { 3 * 1024 * 1024, true },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_body_arrives_whole_between_small_frames_and_only_one_past_the_steady_buffer_is_kept_without_a_copy(int length, bool pooled)
    {
        using var sockets = await SocketPair.ConnectAsync("large-body");
        var received = new BlockingCollection<(FrameKind Kind, ReadOnlyMemory<byte> Kept)>();
        var pool = new LargeBodyPool();
        var reader = Reader(sockets, pool);

        // Keeps all of the body after its first four bytes, as the channel handlers keep a payload after its channel id.
        reader.Start((kind, body) => received.Add((kind, ReceivedBody.Keep(body[4..]))));
        try
        {
            var bodies = new[] { Body(8, 1), Body(length, 2), Body(8, 3), Body(length, 4), Body(16, 5) };
            await SendInPiecesAsync(sockets.Remote, [.. bodies.SelectMany(Frame)], seed: length);

            // Checked only once all arrived, all still kept: a large body's array given back while kept would be the next
            // large body's, and hold its bytes.
            var frames = new List<(FrameKind Kind, ReadOnlyMemory<byte> Kept)>();
            foreach (var body in bodies)
            {
                Assert.True(received.TryTake(out var frame, TestApps.Timeout), $"no frame of {body.Length} bytes");
                frames.Add(frame);
            }

            for (var i = 0; i < bodies.Length; i++)
            {
                Assert.Equal(FrameKind.Send, frames[i].Kind);
                Assert.True(frames[i].Kept.Span.SequenceEqual(bodies[i].AsSpan(4)), $"the frame of {bodies[i].Length} bytes arrived changed");

                // A slice of the pooled body starts after the four bytes left out; a copy starts its own array.
                Assert.Equal(bodies[i].Length == length && pooled ? 4 : 0, Offset(frames[i].Kept));
            }

            Assert.Equal(0, pool.Count);
            frames.ForEach(frame => ReceivedBody.Release(frame.Kept));

            // Released by their last holder, the two large bodies' arrays are back for the next ones.
            Assert.Equal(pooled ? 2 : 0, pool.Count);
            Assert.Null(reader.CloseReason);
        }
        finally
        {
            reader.Close(ConnectionCloseReason.LocallyClosed);
        }
    }

    [Fact]
    public async Task A_large_body_no_handler_kept_goes_back_to_the_pool_and_the_next_one_reuses_it()
    {
        using var sockets = await SocketPair.ConnectAsync("large-body-reuse");
        var pool = new LargeBodyPool();
        var seen = new BlockingCollection<byte[]>();
        var reader = Reader(sockets, pool);
        reader.Start((_, body) => seen.Add(body.ToArray()));
        try
        {
            // The second is within a quarter of the first, so it fits the first's array.
            var bodies = new[] { Body(Steady + 100, 1), Body(Steady + 90, 2), Body(Steady + 100, 3) };
            await SendInPiecesAsync(sockets.Remote, [.. bodies.SelectMany(Frame)], seed: 3);
            foreach (var body in bodies)
            {
                Assert.True(seen.TryTake(out var copy, TestApps.Timeout));
                Assert.Equal(body, copy);
            }

            await TestApps.UntilAsync(() => pool.Count == 1, "the one array, reused for each body, is back in the pool");
        }
        finally
        {
            reader.Close(ConnectionCloseReason.LocallyClosed);
        }
    }

    [Fact]
    public async Task A_peer_that_closes_in_the_middle_of_a_large_body_closes_the_connection_and_nothing_is_handled()
    {
        using var sockets = await SocketPair.ConnectAsync("large-body-cut");
        var handled = 0;
        var pool = new LargeBodyPool();
        var reader = Reader(sockets, pool);
        reader.Start((_, _) => Interlocked.Increment(ref handled));

        var frame = Frame(Body(1024 * 1024, 7));
        await sockets.Remote.SendAsync(frame.AsMemory(0, frame.Length / 2), SocketFlags.None);
        sockets.Remote.Shutdown(SocketShutdown.Both);

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await reader.Closed.WaitAsync(TestApps.Timeout));
        Assert.Equal(0, Volatile.Read(ref handled));
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void Bytes_kept_outside_a_large_body_or_less_than_half_of_one_are_copied()
    {
        var body = PooledBody.Rent(Steady + 1, new LargeBodyPool());
        Assert.Equal(0, Offset(ReceivedBody.Keep(body.GetSpan()[4..])));

        ReceivedBody.Handle((_, span) =>
        {
            Assert.Equal(4, Offset(ReceivedBody.Keep(span[4..])));
            Assert.Equal(0, Offset(ReceivedBody.Keep(span[..((span.Length / 2) - 1)])));
            Assert.Equal(0, Offset(ReceivedBody.Keep(new byte[span.Length])));
        }, FrameKind.Send, body);
    }

    private static Connection Reader(SocketPair sockets, LargeBodyPool pool) =>
        new(sockets.Local, 8 * 1024 * 1024, NullLogger.Instance, "reader", 8 * 1024 * 1024) { BodyPool = pool };

    private static int Offset(ReadOnlyMemory<byte> kept) => MemoryMarshal.TryGetArray(kept, out var segment) ? segment.Offset : -1;

    /// <summary>Writes <paramref name="stream"/> in uneven pieces, so a large body starts in the read buffer with a part of its bytes.</summary>
    private static async Task SendInPiecesAsync(Socket socket, byte[] stream, int seed)
    {
        var random = new Random(seed);
        for (var offset = 0; offset < stream.Length;)
        {
            var piece = Math.Min(stream.Length - offset, random.Next(1, 100_000));
            await socket.SendAsync(stream.AsMemory(offset, piece), SocketFlags.None);
            offset += piece;
        }
    }

    private static byte[] Body(int length, byte seed)
    {
        var body = new byte[length];
        for (var i = 0; i < length; i++)
        {
            body[i] = (byte)(seed + (i * 7));
        }

        return body;
    }

    private static byte[] Frame(byte[] body)
    {
        var frame = new byte[FrameFormat.HeaderSize + body.Length];
        FrameFormat.WriteHeader(frame, FrameKind.Send, body.Length);
        body.CopyTo(frame.AsSpan(FrameFormat.HeaderSize));
        return frame;
    }
}
