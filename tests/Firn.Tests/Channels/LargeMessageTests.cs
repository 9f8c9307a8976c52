using System.Globalization;
using Firn.Channels;
using Firn.Hosting;
using Firn.TestChild;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Channels;

/// <summary>
/// Large messages sent as fast as the sender can, in every direction, to slow and fast receivers: every one arrives
/// intact and no connection closes. A sender waits for room; only a peer that stops reading may overflow a connection.
/// </summary>
/// <remarks>
/// The buffers are tight on purpose: the main process's connection buffer holds little more than one message of the
/// largest size, and the children's (their own FirnAppOptions) less than the main process's, so a producer that is not
/// held to the room its connection has overflows it within a few messages.
/// </remarks>
public sealed class LargeMessageTests
{
    private const int MaxMessageSize = 2 * 1024 * 1024;

    /// <summary>The main process's connection buffer: the largest frame, its envelope and 192 KiB more.</summary>
    private const int MainBufferLimit = MaxMessageSize + (256 * 1024);

    /// <summary>Each child's own connection buffer: smaller than the main process's, which names the send budget.</summary>
    private const int ChildBufferLimit = MaxMessageSize + (128 * 1024);

    /// <summary>Messages of each length per case (a few dozen: the sweep takes seconds).</summary>
    private const int Count = 24;

    /// <summary>A byte array serializes with a 5-byte header (MessagePack bin 32): this one is exactly MaxMessageSize.</summary>
    private const int LargestPayload = MaxMessageSize - 5;

    private static readonly int[] Lengths = [64 * 1024, 256 * 1024, 1024 * 1024, LargestPayload];

    public enum Direction
    {
        ChildToMain,
        MainToChild,
        ChildToChild,
    }

    [Theory]
    [InlineData(Direction.ChildToMain, 1, 64)]
    [InlineData(Direction.ChildToMain, 0, 16_384)]
    [InlineData(Direction.MainToChild, 1, 64)]
    [InlineData(Direction.MainToChild, 0, 16_384)]
    [InlineData(Direction.ChildToChild, 1, 64)]
    [InlineData(Direction.ChildToChild, 0, 16_384)]
    public async Task Large_messages_sent_as_fast_as_possible_all_arrive_and_no_connection_closes(Direction direction, int handlerMilliseconds, int receiveBufferSize)
    {
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { MaxMessageSize = MaxMessageSize, ConnectionBufferLimit = MainBufferLimit });
        var lengths = Lengths.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();
        var count = Count.ToString(CultureInfo.InvariantCulture);
        string[] children = direction switch
        {
            Direction.ChildToMain => ["sender"],
            Direction.MainToChild => ["receiver"],
            _ => ["sender", "receiver"],
        };
        if (children.Contains("sender"))
        {
            app.AddProcess("sender", Child(["large-send", "large", count, .. lengths]));
        }

        if (children.Contains("receiver"))
        {
            app.AddProcess("receiver", Child(["large-receive", "large", receiveBufferSize.ToString(CultureInfo.InvariantCulture), handlerMilliseconds.ToString(CultureInfo.InvariantCulture), count, .. lengths]));
        }

        var received = new LargeReceiver(Count, Lengths);
        if (direction == Direction.ChildToMain)
        {
            app.GetChannel<byte[]>("large", new ChannelOptions { ReceiveBufferSize = receiveBufferSize }).OnReceive(message =>
            {
                Thread.Sleep(handlerMilliseconds);
                received.Take(message);
            });
        }

        await using var started = await TestApps.StartAsync(app);
        Task<string> outcome;
        if (direction == Direction.ChildToMain)
        {
            outcome = received.Outcome;
        }
        else
        {
            Assert.Equal("ready", await app.NextReportAsync("receiver"));
            outcome = app.NextReportAsync("receiver");
            if (direction == Direction.MainToChild)
            {
                var output = app.GetChannel<byte[]>("large");
                for (var sequence = 0; sequence < Count * Lengths.Length && !outcome.IsCompleted; sequence++)
                {
                    await output.SendAsync(LargePayloads.Make(sequence, LargePayloads.LengthOf(sequence, Count, Lengths))).AsTask().WaitAsync(TestApps.Timeout);
                }
            }
        }

        await TestApps.UntilAsync(() => outcome.IsCompleted || ConnectionClosed(log) is not null, "every message arrived or a connection closed");
        Assert.True(ConnectionClosed(log) is null, string.Join(Environment.NewLine, log.Entries.Select(e => e.Message)));
        Assert.Equal("ok", await outcome);
        foreach (var child in children)
        {
            var status = app.Supervisor!.GetProcess(child);
            Assert.True(status.State == ProcessState.Running && status.Restarts == 0 && status.LastExitCode is null, $"child '{child}' did not stay connected: {status}");
        }
    }

    /// <summary>
    /// The router delivers to a receiver while its connection is not congested; one more delivery of the largest size
    /// must still fit under the hard limit. The receiver is stopped (SIGSTOP) for a moment, so what waits for it is known.
    /// </summary>
    [Fact]
    public async Task A_largest_message_for_a_receiver_that_paused_waits_for_room_and_its_connection_stays_open()
    {
        const int small = 64 * 1024;
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { MaxMessageSize = MaxMessageSize, ConnectionBufferLimit = MainBufferLimit });
        app.AddProcess("receiver", Child(["large-receive", "large", "16384", "0", Count.ToString(CultureInfo.InvariantCulture), small.ToString(CultureInfo.InvariantCulture), LargestPayload.ToString(CultureInfo.InvariantCulture)]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("receiver"));
        var output = app.GetChannel<byte[]>("large");
        var report = app.NextReportAsync("receiver");
        var pid = app.Supervisor!.GetProcess("receiver").ProcessId!.Value;
        Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGSTOP));
        Task sending;
        try
        {
            // Small messages until the router holds one back (the receiver counts as congested), or until more waits
            // for the receiver than leaves room under the hard limit for a largest frame; then the largest messages.
            var sent = 0;
            while (app.Router.GetStats("large")!.Value.Pending == 0 && app.BufferedBytesFor("receiver") <= MainBufferLimit - SendBudget.Cost(MaxMessageSize))
            {
                Assert.True(sent < Count, $"{Count} small messages did not fill the socket of a stopped receiver");
                Assert.True(output.TrySend(LargePayloads.Make(sent++, small)));
            }

            Assert.True(output.TrySend(LargePayloads.Make(Count, LargestPayload)));
            sending = Task.Run(async () =>
            {
                for (var sequence = Count + 1; sequence < 2 * Count; sequence++)
                {
                    await output.SendAsync(LargePayloads.Make(sequence, LargestPayload));
                }

                for (var sequence = sent; sequence < Count; sequence++)
                {
                    await output.SendAsync(LargePayloads.Make(sequence, small));
                }
            });
        }
        finally
        {
            Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGCONT));
        }

        await TestApps.UntilAsync(() => report.IsCompleted || ConnectionClosed(log) is not null, "every message arrived or the connection closed");
        Assert.True(ConnectionClosed(log) is null, string.Join(Environment.NewLine, log.Entries.Select(e => e.Message)));
        Assert.Equal("ok", await report);
        await sending.WaitAsync(TestApps.Timeout);
        Assert.Equal(0, app.Supervisor!.GetProcess("receiver").Restarts);
    }

    [Fact]
    public async Task The_largest_payload_of_the_sweep_is_exactly_MaxMessageSize()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxMessageSize = MaxMessageSize, ConnectionBufferLimit = MainBufferLimit }));
        var channel = app.GetChannel<byte[]>("boundary");

        Assert.Throws<MessageTooLargeException>(() => channel.TrySend(new byte[LargestPayload + 1]));
        Assert.True(channel.TrySend(new byte[LargestPayload]));
    }

    /// <summary>The main process's log line of a connection that closed, if any did.</summary>
    private static string? ConnectionClosed(TestLog log) =>
        log.Entries.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Connection to", StringComparison.Ordinal) && m.Contains("closed", StringComparison.Ordinal));

    private static ProcessOptions Child(string[] args) => TestApps.Child(
        new Dictionary<string, string>
        {
            ["FIRN_TEST_MAX_MESSAGE_SIZE"] = MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            ["FIRN_TEST_CONNECTION_BUFFER_LIMIT"] = ChildBufferLimit.ToString(CultureInfo.InvariantCulture),
        },
        args);
}
