using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Firn.Tests.Support;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Transport;

/// <summary>
/// A frame too large for the steady read buffer (256 KiB) is read straight into a pooled body of its own, which a handler
/// may keep (<see cref="ReceivedBody.Keep"/>) without a copy; every other frame is read into the reused buffer and kept as
/// a copy. Either way frames arrive whole and in order, however the peer splits its writes.
/// </summary>
public sealed class ConnectionLargeBodyTests
{
    private const int Steady = 256 * 1024;

    /// <summary>(body length, whether it is read into an array of its own): the boundary, and large bodies.</summary>
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
    public async Task A_body_arrives_whole_between_small_frames_and_only_one_past_the_steady_buffer_is_kept_without_a_copy(int length, bool ownArray)
    {
        using var sockets = await SocketPair.ConnectAsync("large-body");
        var received = new BlockingCollection<(FrameKind Kind, ReadOnlyMemory<byte> Kept)>();
        var reader = new Connection(sockets.Local, 8 * 1024 * 1024, NullLogger.Instance, "reader", 8 * 1024 * 1024);

        // Keeps all of the body after its first four bytes, as the channel handlers keep a payload after its channel id.
        reader.Start((kind, body) => received.Add((kind, ReceivedBody.Keep(body[4..]))));
        try
        {
            var bodies = new[] { Body(8, 1), Body(length, 2), Body(8, 3), Body(length, 4), Body(16, 5) };
            var stream = bodies.SelectMany(b => Frame(b)).ToArray();

            // Written in uneven pieces, so a large body starts in the read buffer with a part of its bytes.
            var random = new Random(length);
            for (var offset = 0; offset < stream.Length;)
            {
                var piece = Math.Min(stream.Length - offset, random.Next(1, 100_000));
                await sockets.Remote.SendAsync(stream.AsMemory(offset, piece), SocketFlags.None);
                offset += piece;
            }

            foreach (var body in bodies)
            {
                Assert.True(received.TryTake(out var frame, TestApps.Timeout), $"no frame of {body.Length} bytes");
                Assert.Equal(FrameKind.Send, frame.Kind);
                Assert.True(frame.Kept.Span.SequenceEqual(body.AsSpan(4)), $"the frame of {body.Length} bytes arrived changed");
                Assert.True(MemoryMarshal.TryGetArray(frame.Kept, out var segment));

                // A slice of the body's own array starts after the four bytes left out; a copy starts its own array.
                var sliced = body.Length == length && ownArray;
                Assert.Equal(sliced ? 4 : 0, segment.Offset);
            }

            Assert.Null(reader.CloseReason);
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
        var reader = new Connection(sockets.Local, 8 * 1024 * 1024, NullLogger.Instance, "reader", 8 * 1024 * 1024);
        reader.Start((_, _) => Interlocked.Increment(ref handled));

        var frame = Frame(Body(1024 * 1024, 7));
        await sockets.Remote.SendAsync(frame.AsMemory(0, frame.Length / 2), SocketFlags.None);
        sockets.Remote.Shutdown(SocketShutdown.Both);

        Assert.Equal(ConnectionCloseReason.RemotePartyTerminated, await reader.Closed.WaitAsync(TestApps.Timeout));
        Assert.Equal(0, Volatile.Read(ref handled));
    }

    [Fact]
    public void Bytes_kept_outside_a_large_body_or_less_than_half_of_one_are_copied()
    {
        var pool = new LargeBodyPool();
        var body = PooledBody.Rent(Steady + 1, pool);
        Assert.Equal(0, Offset(ReceivedBody.Keep(body.GetSpan()[4..])));

        ReceivedBody.Handle((_, span) =>
        {
            Assert.Equal(4, Offset(ReceivedBody.Keep(span[4..])));
            Assert.Equal(0, Offset(ReceivedBody.Keep(span[..((span.Length / 2) - 1)])));
            Assert.Equal(0, Offset(ReceivedBody.Keep(new byte[span.Length])));
        }, FrameKind.Send, body);

        static int Offset(ReadOnlyMemory<byte> kept) => MemoryMarshal.TryGetArray(kept, out var segment) ? segment.Offset : -1;
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
