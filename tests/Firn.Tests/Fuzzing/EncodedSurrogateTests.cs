using Firn.Fuzzing;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Fuzzing;

/// <summary>
/// A hostile child that writes a name holding an encoded surrogate (<c>ED A0 80</c>, the bytes a lenient encoder would
/// give U+D800) is disconnected with a protocol violation: the main process never reads it as another name.
/// </summary>
public sealed class EncodedSurrogateTests
{
    /// <summary>Stands for the three bytes of the surrogate while the frame is built with a valid name.</summary>
    private const string Placeholder = "\u0001\u0002\u0003";

    private static readonly Dictionary<string, Func<string, byte[]>> Frames = new()
    {
        ["channel name"] = name => ChildFrames.OpenChannel(1, name, "System.String"),
        ["store key"] = name => ChildFrames.StoreRequest(1, StoreOperation.Set, name, "System.Int32", payload: [1]),
        ["subscribed topic"] = name => ChildFrames.Subscribe(1, name),
        ["published topic"] = name => ChildFrames.Publish(name, "System.Int32", [1]),
        ["method name"] = name => ChildFrames.RpcRegister(1, name),
        ["called method"] = name => ChildFrames.RpcCall(1, name, [0, 0]),
    };

    public static TheoryData<string> FrameNames => [.. Frames.Keys];

    [Theory]
    [MemberData(nameof(FrameNames))]
    public async Task A_name_holding_an_encoded_surrogate_closes_the_child_that_sent_it(string frame)
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var liar = harness.Connect("liar");
        var honest = harness.Connect("honest");

        await liar.SendAsync(WithEncodedSurrogate(Frames[frame]("x" + Placeholder + "y")));

        Assert.Equal(ConnectionCloseReason.ProtocolViolation, await liar.Closed.WaitAsync(harness.Timeout));
        Assert.True(await honest.SyncAsync(), $"'{honest.Name}' lost its connection after a {frame} with an encoded surrogate");
        Assert.False(harness.App.TryGetChannel<string>("x\uFFFDy", out _));
        Assert.DoesNotContain(harness.App.SharedMemory.Keys, key => key.Contains('\uFFFD', StringComparison.Ordinal));
    }

    private static byte[] WithEncodedSurrogate(byte[] frame)
    {
        var at = frame.AsSpan().IndexOf("\u0001\u0002\u0003"u8);
        Assert.True(at > 0);
        frame[at] = 0xED;
        frame[at + 1] = 0xA0;
        frame[at + 2] = 0x80;
        return frame;
    }
}
