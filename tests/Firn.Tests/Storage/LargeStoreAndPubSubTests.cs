using Firn.Channels;
using Firn.TestChild;
using Firn.Tests.Support;
using Firn.Transport;
using static Firn.Tests.Support.LargeApps;

namespace Firn.Tests.Storage;

/// <summary>
/// Large store values and publications produced as fast as the API allows, over tight connection buffers
/// (<see cref="LargeApps"/>): each producer waits for room in the connection it writes to, and a subscriber that is
/// not reading misses publications (counted) instead of having its connection closed. Sizes 64 KiB, 256 KiB, 1 MiB and
/// exactly the largest allowed.
/// </summary>
public sealed class LargeStoreAndPubSubTests
{
    /// <summary>Payloads of each length per case.</summary>
    private const int Count = 6;

    /// <summary>The largest value read back: a Get's reply carries the value with its type name, within MaxMessageSize.</summary>
    private const int LargestRead = 1024 * 1024;

    [Fact]
    public async Task Many_large_values_set_and_read_by_a_child_at_once_are_stored_intact_and_its_connection_stays_open()
    {
        var log = new TestLog();
        var lengths = Lengths(LargestValue);
        var app = LargeApps.Create(log);
        app.AddProcess("writer", Child(["large-store", Text(LargestRead), .. Sweep(Count, lengths)]));
        await using var started = await TestApps.StartAsync(app);

        var report = app.NextReportAsync("writer");
        await TestApps.UntilAsync(() => report.IsCompleted || ConnectionClosed(log) is not null, "every value was set and read or a connection closed");
        AssertAllConnected(app, log, "writer");
        Assert.Equal("ok", await report);
        var stored = new LargeReceiver(Count, lengths);
        for (var sequence = 0; sequence < Count * lengths.Length; sequence++)
        {
            stored.Take(app.SharedMemory.Get<byte[]>($"large/{sequence}", []));
        }

        Assert.Equal("ok", await stored.Outcome.WaitAsync(TestApps.Timeout));
    }

    /// <summary>
    /// A child publishes large payloads back to back to the main process and to a subscriber stopped (SIGSTOP) for the
    /// burst: the publisher waits for room in its own buffer, the main process gets every one, and the stopped
    /// subscriber misses some (counted) but keeps its connection and gets the others intact.
    /// </summary>
    [Fact]
    public async Task A_burst_of_large_publications_reaches_every_subscriber_intact_or_is_missed_by_a_stopped_one_and_no_connection_closes()
    {
        var log = new TestLog();
        var lengths = Lengths(LargestValue);
        var app = LargeApps.Create(log);
        var received = new LargeReceiver(Count, lengths);
        using var subscription = app.SharedMemory.Subscribe<byte[]>("large.pub", received.Take, new SubscribeOptions { BufferSize = 100_000 });
        app.AddProcess("publisher", Child(["large-publish", "large.pub", .. Sweep(Count, lengths)]));
        app.AddProcess("subscriber", Child(["large-subscribe", "large.pub", .. Sweep(Count, lengths)]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("subscriber"));

        var pid = app.Supervisor!.GetProcess("subscriber").ProcessId!.Value;
        var sent = app.NextReportAsync("publisher");
        Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGSTOP));
        try
        {
            await app.GetChannel<string>("go-publisher").SendAsync("go");
            await TestApps.UntilAsync(() => (sent.IsCompleted && received.Outcome.IsCompleted) || ConnectionClosed(log) is not null, "every publication reached the main process or a connection closed");
        }
        finally
        {
            Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGCONT));
        }

        AssertAllConnected(app, log, "publisher", "subscriber");
        Assert.Equal("sent", await sent);
        Assert.Equal("ok", await received.Outcome);
        await TestApps.UntilAsync(() => app.BufferedBytesFor("subscriber") == 0 || ConnectionClosed(log) is not null, "the subscriber read what waited for it");
        var outcome = app.NextReportAsync("subscriber");
        app.SharedMemory.Publish("large.end", "end");
        Assert.StartsWith("ok ", await outcome, StringComparison.Ordinal);
        AssertAllConnected(app, log, "publisher", "subscriber");
    }

    [Fact]
    public async Task The_largest_value_and_publication_of_the_sweep_are_exactly_MaxMessageSize()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(LargeApps.Create(log));

        await Assert.ThrowsAsync<MessageTooLargeException>(() => app.SharedMemory.SetAsync("too-large", new byte[LargestValue + 1]).AsTask());
        await app.SharedMemory.SetAsync("largest", new byte[LargestValue]);
        Assert.Throws<MessageTooLargeException>(() => app.SharedMemory.Publish("large", new byte[LargestValue + 1]));
        app.SharedMemory.Publish("large", new byte[LargestValue]);
    }
}
