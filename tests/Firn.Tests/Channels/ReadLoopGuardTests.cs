using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Channels;

/// <summary>A child's blocking round trip refuses to run on the thread that would have to read its reply.</summary>
public sealed class ReadLoopGuardTests
{
    [Fact]
    public async Task Opening_a_channel_inside_a_frame_handler_fails_clearly_instead_of_deadlocking()
    {
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var child = await InProcessChild.ConnectAsync("guarded", (host, registry) => host.Register(FrameKind.StoreReply, (_, _) =>
        {
            try
            {
                registry.Get<int>("opened-on-the-read-loop", null);
                outcome.TrySetResult(null);
            }
            catch (InvalidOperationException ex)
            {
                outcome.TrySetResult(ex);
            }
        }));

        // The test plays the main process: it sends the frame whose handler opens a channel.
        await child.SendFrameAsync(FrameKind.StoreReply, [0]);

        var error = await outcome.Task.WaitAsync(TestApps.Timeout);
        Assert.NotNull(error);
        Assert.Contains("open channel 'opened-on-the-read-loop'", error.Message, StringComparison.Ordinal);
        Assert.Contains("thread that reads a connection", error.Message, StringComparison.Ordinal);
        Assert.False(Connection.IsOnReadLoop);
    }
}
