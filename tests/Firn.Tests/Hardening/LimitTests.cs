using System.Globalization;
using Firn.Channels;
using Firn.Hosting;
using Firn.Storage;
using Firn.Tests.Support;

namespace Firn.Tests.Hardening;

/// <summary>Each limit at its boundary: exactly the limit works, one more gets a clear error, and nothing else is affected.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task A_child_may_create_exactly_its_channel_limit_and_still_open_existing_channels()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { MaxChannelsPerProcess = 50 }, ("maker", ["open-channels", "50", "shared"]));

        // Created by the main process, so the child's only creations are the ones it counts.
        app.GetChannel<string>("report-maker");
        app.GetChannel<string>("shared");
        await using var started = await TestApps.StartAsync(app);

        var parts = (await app.NextReportAsync("maker")).Split('|');

        Assert.Equal("opened:50", parts[0]);
        Assert.StartsWith("error:Process 'maker' has created 50 channels, the limit (FirnAppOptions.MaxChannelsPerProcess)", parts[1], StringComparison.Ordinal);
        Assert.Equal("ok", parts[2]);
        Assert.Null(app.Router.GetStats("maker-one-more"));
        app.GetChannel<int>("main-is-not-limited");
    }

    [Fact]
    public async Task A_child_may_hold_exactly_the_subscription_limit_and_one_more_is_refused()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("subscriber", ["subscribe-many", PubSubServer.MaxSubscriptionsPerProcess.ToString()])));

        var parts = (await app.NextReportAsync("subscriber")).Split('|');

        Assert.Equal($"subscribed:{PubSubServer.MaxSubscriptionsPerProcess}", parts[0]);
        Assert.StartsWith($"error:Process 'subscriber' already subscribes to {PubSubServer.MaxSubscriptionsPerProcess} topics and patterns", parts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_of_exactly_the_size_limit_travels_and_one_byte_more_is_refused_before_sending()
    {
        const int limit = 1024 * 1024;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxMessageSize = limit }, ("receiver", ["receive-bytes", "bytes"])));
        var channel = app.GetChannel<byte[]>("bytes");

        // MessagePack writes a byte array of this length with a 5-byte header: exactly the limit.
        channel.Send(new byte[limit - 5]);
        var error = Assert.Throws<MessageTooLargeException>(() => channel.Send(new byte[limit - 4]));

        Assert.Equal($"length:{limit - 5}", await app.NextReportAsync("receiver"));
        Assert.Contains($"serialized to {limit + 1} bytes; the limit is {limit} bytes", error.Message, StringComparison.Ordinal);
        channel.Send([1, 2, 3]);
        Assert.Equal("length:3", await app.NextReportAsync("receiver"));
    }

    [Fact]
    public async Task A_child_configured_with_a_larger_limit_refuses_a_message_over_the_main_process_s_limit_at_its_sender_and_keeps_its_connection()
    {
        // The child runs with the default 16 MiB limit; the main process allows 256 KiB and says so in the handshake.
        // MessagePack writes a byte array this long with a 5-byte header: one byte over.
        const int limit = 256 * 1024;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxMessageSize = limit }, ("sender", ["send-over-limit", "bytes", (limit - 4).ToString(CultureInfo.InvariantCulture)])));
        var channel = app.GetChannel<byte[]>("bytes");

        var parts = (await app.NextReportAsync("sender")).Split('|');

        Assert.StartsWith($"refused:A message on channel 'bytes' serialized to {limit + 1} bytes; the limit is {limit} bytes", parts[0], StringComparison.Ordinal);
        Assert.StartsWith($"refused:The value for key 'over-limit' serialized to {limit + 1} bytes; the limit is {limit} bytes", parts[1], StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], await channel.ReceiveAsync(TestApps.Timeout));
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("sender").State);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("frame body", StringComparison.Ordinal) || e.Message.Contains("broke the protocol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_child_configured_with_a_smaller_limit_reads_a_message_up_to_the_main_process_s_limit()
    {
        // The child runs with the default 16 MiB limit; the main process allows 20 MiB and delivers 17 MiB.
        const int size = 17 * 1024 * 1024;
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxMessageSize = 20 * 1024 * 1024 }, ("receiver", ["receive-bytes", "bytes"])));

        app.GetChannel<byte[]>("bytes").Send(new byte[size]);

        Assert.Equal($"length:{size}", await app.NextReportAsync("receiver"));
    }

    [Fact]
    public async Task The_bytes_a_child_may_have_waiting_in_the_router_are_bounded_and_a_sender_waits_for_room()
    {
        const int limit = 1024 * 1024;
        const int size = 100 * 1024;
        var log = new TestLog();
        var options = new FirnAppOptions { ConnectionBufferLimit = limit, MaxMessageSize = 256 * 1024 };
        await using var app = await TestApps.StartAsync(TestApps.Create(log, options, ("filler", ["fill-bytes", "heavy", size.ToString()])));

        // Each message is the array plus MessagePack's 5-byte header, counted as its frame (9 bytes more); ten fit in a
        // mebibyte, an eleventh does not.
        Assert.Equal("fitted:10", await app.NextReportAsync("filler"));
        var heavy = app.GetChannel<byte[]>("heavy");
        Assert.Equal(10, app.Router.GetStats("heavy")!.Value.Pending);

        Assert.Equal(SendBudget.Cost(size + 5) * 10L, app.Router.PendingBytesOf("filler"));
        Assert.Equal(size, (await heavy.ReceiveAsync(TestApps.Timeout)).Length);
        Assert.Equal("sent-after-wait", await app.NextReportAsync("filler"));
    }
}
