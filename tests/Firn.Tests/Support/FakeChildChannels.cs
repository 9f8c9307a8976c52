using Firn.Channels;
using Firn.Fuzzing;
using Firn.Transport;

namespace Firn.Tests.Support;

/// <summary>What tests of hostile or malformed children do with a <see cref="FakeChild"/>'s channels.</summary>
internal static class FakeChildChannels
{
    /// <summary>Opens the string channel <paramref name="name"/> (request id 1) and returns its id; asserts that it opened.</summary>
    public static async Task<uint> OpenStringChannelAsync(this FakeChild child, string name)
    {
        var reply = await child.RequestAsync(FrameKind.ChannelOpened, 1, ChildFrames.OpenChannel(1, name, "System.String"));
        Assert.NotNull(reply);
        var reader = new BodyReader(reply);
        Assert.Equal(1u, reader.ReadUInt32());
        Assert.Equal(OpenStatus.Opened, reader.ReadByte());
        return reader.ReadUInt32();
    }
}
