using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>
/// The credits and released bytes of a child's messages that went straight to a receiver are held back for a while
/// (a child that sends one message per round trip then costs no frame back for each); these tests hold the promise that
/// the child never waits for what is held: it keeps its whole window for messages that wait in the router, and room for
/// a message of the largest size.
/// </summary>
public sealed class HeldGrantsTests
{
    [Fact]
    public async Task A_sender_whose_messages_went_straight_to_a_receiver_keeps_its_whole_window_for_messages_that_wait()
    {
        // A window of 16 lets up to 3 credits be held (under a quarter); the sender's first two messages go straight to
        // the main process's one slot, and 16 more must fit in the router before a send waits.
        const int window = 16;
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { ChannelSendWindow = window }, ("sender", ["window-after-handed", "handed", "handed-go", $"{window}"]));
        var channel = app.GetChannel<int>("handed", new ChannelOptions { ReceiveBufferSize = 1 });
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal(0, await channel.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        app.GetChannel<string>("handed-go").Send("go");

        Assert.Equal($"sent:{window + 2}|one-more:False", await app.NextReportAsync("sender"));
        Assert.Equal(window, app.Router.GetStats("handed")!.Value.Pending);
        for (var i = 1; i < window + 2; i++)
        {
            Assert.Equal(i, await channel.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        }
    }

    [Fact]
    public async Task A_sender_whose_messages_went_straight_to_a_receiver_can_send_a_message_of_the_largest_size_after_them()
    {
        // 60 messages of 9 KiB (about 540 KiB with their frames; few enough that their credits alone would be held) go
        // straight to the main process's buffer; then one of nearly the largest size, which fits the 1 MiB budget only if
        // the small ones' bytes were released.
        const int count = 60;
        const int size = 9 * 1024;
        const int largest = 500 * 1024;
        var log = new TestLog();
        var options = new FirnAppOptions { ConnectionBufferLimit = 1024 * 1024, MaxMessageSize = 512 * 1024 };
        var app = TestApps.Create(log, options, ("sender", ["bytes-after-handed", "straight", "straight-go", $"{count}", $"{size}", $"{largest}"]));
        var channel = app.GetChannel<byte[]>("straight");
        await using var started = await TestApps.StartAsync(app);

        Assert.Single(await channel.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        app.GetChannel<string>("straight-go").Send("go");

        Assert.Equal($"sent:{count + 1}", await app.NextReportAsync("sender"));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(size, (await channel.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout)).Length);
        }

        Assert.Equal(largest, (await channel.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout)).Length);
    }
}
