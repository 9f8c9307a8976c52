using System.Diagnostics;
using Firn.Fuzzing;
using Firn.Storage;
using Firn.Transport;
using Xunit.Abstractions;

namespace Firn.Tests.Fuzzing;

/// <summary>
/// One stream of frames, delivered whole and then split at every byte boundary (and, for a short stream, at every
/// pair of boundaries), each piece read by the main process's read loop on its own: the main process ends in the same
/// observable state every time. FrameDecoderTests covers the decoder alone; this covers the connection's buffer
/// handling and the dispatcher behind it.
/// </summary>
public sealed class SplitDeliveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stream_of_every_feature_split_at_any_byte_is_handled_as_if_whole(bool endsWithGarbage)
    {
        var stream = EveryFeature(endsWithGarbage);
        var whole = await DeliverAsync(stream, []);
        Assert.Equal(endsWithGarbage ? "closed: ProtocolViolation" : "open", whole.Connection);
        if (endsWithGarbage)
        {
            // The session ended: the main process forgot the child everywhere.
            Assert.DoesNotContain("splitter", whole.Channels + whole.Methods + whole.Subscriptions, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("split.m=splitter", whole.Methods, StringComparison.Ordinal);
            Assert.Contains("RpcReply", whole.Received, StringComparison.Ordinal);
            Assert.Contains("Publication", whole.Received, StringComparison.Ordinal);
        }

        var clock = Stopwatch.StartNew();
        for (var split = 1; split < stream.Length; split++)
        {
            var snapshot = await DeliverAsync(stream, [split]);

            // Replies queued when a violation closes the connection are dropped unsent, so only the state compares then.
            var same = endsWithGarbage ? whole with { Received = snapshot.Received } == snapshot : whole == snapshot;
            Assert.True(same, $"Split at byte {split} of {stream.Length}:\n{whole.Diff(snapshot)}");
        }

        output.WriteLine($"{stream.Length - 1} splits in {clock.Elapsed}");
    }

    [Fact]
    public async Task A_short_stream_split_at_every_pair_of_bytes_is_handled_as_if_whole()
    {
        byte[] stream =
        [
            .. ChildFrames.StoreRequest(1, StoreOperation.Increment, "n", delta: 3),
            .. ChildFrames.Ready(),
            .. ChildFrames.Control(1),
        ];
        var whole = await DeliverAsync(stream, []);
        Assert.Equal("open", whole.Connection);

        var clock = Stopwatch.StartNew();
        for (var first = 1; first < stream.Length; first++)
        {
            for (var second = first + 1; second < stream.Length; second++)
            {
                var snapshot = await DeliverAsync(stream, [first, second]);
                Assert.True(whole == snapshot, $"Splits at bytes {first} and {second} of {stream.Length}:\n{whole.Diff(snapshot)}");
            }
        }

        output.WriteLine($"{(stream.Length - 1) * (stream.Length - 2) / 2} pairs of splits in {clock.Elapsed}");
    }

    /// <summary>Channels, store, pub/sub, RPC, listing and control, and perhaps a frame that breaks the protocol.</summary>
    private static byte[] EveryFeature(bool endsWithGarbage) =>
    [
        .. ChildFrames.OpenChannel(1, "split", "System.String"),
        .. ChildFrames.Attach(1, 8, 1),
        .. ChildFrames.Send(1, [0xA1, (byte)'a']),
        .. ChildFrames.StoreRequest(2, StoreOperation.Set, "k", "System.String", timeToLiveMs: 0, payload: [0xA1, (byte)'v']),
        .. ChildFrames.StoreRequest(3, StoreOperation.Get, "k"),
        .. ChildFrames.Subscribe(4, "topic"),
        .. ChildFrames.Publish("topic", "System.String", [0xA1, (byte)'p']),
        .. ChildFrames.RpcRegister(5, "split.m"),
        .. ChildFrames.RpcCall(6, "split.none", ChildFrames.ArgumentBlock([0x01], [0xA1, (byte)'x'])),
        .. ChildFrames.ListChannels(7),
        .. ChildFrames.Ready(),
        .. ChildFrames.Control(2),
        .. ChildFrames.StoreRequest(8, StoreOperation.Increment, "n", delta: 5),
        .. (endsWithGarbage ? ChildFrames.Frame((FrameKind)0xEE, [1, 2, 3]) : []),
    ];

    /// <summary>Delivers <paramref name="stream"/> to a fresh main process in pieces cut at <paramref name="splits"/>, and snapshots the result.</summary>
    private static async Task<MainSnapshot> DeliverAsync(byte[] stream, int[] splits)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var child = harness.Connect("splitter");
        await child.SendInPiecesAsync(stream, splits);
        if (await child.SyncAsync())
        {
            return MainSnapshot.Take(harness, child);
        }

        await child.Ended.WaitAsync(harness.Timeout);
        return MainSnapshot.Take(harness, child);
    }
}
