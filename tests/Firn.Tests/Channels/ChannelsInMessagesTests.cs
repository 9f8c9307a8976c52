using System.Buffers;
using Firn.Channels;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>A <see cref="Channel{T}"/> inside a message, store value or publication arrives as a working channel of the receiving process.</summary>
public sealed class ChannelsInMessagesTests
{
    [Fact]
    public async Task A_channel_passed_from_main_to_a_child_inside_a_record_works_both_ways()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("user", ["handoff-user", "handoffs-1"])));
        var reply = app.GetChannel<string>("reply-1");

        app.GetChannel<Handoff>("handoffs-1").Send(new Handoff("hello", reply));

        Assert.Equal("got:hello", await reply.ReceiveAsync(TestApps.Timeout));
        reply.Send("pong");
        Assert.Equal("back:pong", await app.NextReportAsync("user"));
    }

    [Fact]
    public async Task A_channel_passed_from_child_to_child_works_both_ways_without_the_main_process_opening_it()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(
            log,
            ("user", ["handoff-user", "handoffs-2"]),
            ("maker", ["handoff-maker", "handoffs-2", "maker-private"])));

        Assert.Equal("maker-got:got:maker", await app.NextReportAsync("maker"));
        Assert.Equal("back:pong-from-maker", await app.NextReportAsync("user"));
        var shared = Assert.Single(app.Supervisor!.GetChannels(), c => c.Name == "maker-private");
        Assert.Equal(["maker:Active", "user:Active"], shared.Members.Select(m => $"{m.ProcessName}:{m.Mode}"));
    }

    [Fact]
    public async Task A_channel_of_another_type_inside_a_message_is_a_clear_error_and_the_next_message_still_arrives()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("user", ["handoff-user", "handoffs-3"])));
        var handoffs = app.GetChannel<Handoff>("handoffs-3");

        // A sender whose record declares the field as Channel<int>: the same wire shape, another channel type.
        SendRaw(app, handoffs, new SkewedHandoff("skewed", app.GetChannel<int>("skewed-reply")));

        var error = await app.NextReportAsync("user");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("'skewed-reply'", error, StringComparison.Ordinal);
        Assert.Contains("System.Int32", error, StringComparison.Ordinal);
        Assert.Contains("System.String", error, StringComparison.Ordinal);
        var skewed = Assert.Single(app.Supervisor!.GetChannels(), c => c.Name == "skewed-reply");
        Assert.Equal(["main"], skewed.Members.Select(m => m.ProcessName));

        var reply = app.GetChannel<string>("reply-3");
        handoffs.Send(new Handoff("after", reply));
        Assert.Equal("got:after", await reply.ReceiveAsync(TestApps.Timeout));
        reply.Send("ok");
        Assert.Equal("back:ok", await app.NextReportAsync("user"));
    }

    [Fact]
    public async Task Channels_inside_a_store_value_and_a_publication_reach_a_child_as_working_channels()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("shared", ["handoff-shared", "handoff-key", "handoff-topic"]));
        var stored = app.GetChannel<string>("reply-stored");
        app.SharedMemory.Set("handoff-key", new Handoff("stored", stored));
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("got:stored", await stored.ReceiveAsync(TestApps.Timeout));
        Assert.Equal("subscribed", await app.NextReportAsync("shared"));
        var published = app.GetChannel<string>("reply-published");
        app.SharedMemory.Publish("handoff-topic", new Handoff("published", published));
        Assert.Equal("got:published", await published.ReceiveAsync(TestApps.Timeout));
    }

    [Fact]
    public async Task Each_app_reads_a_channel_as_its_own()
    {
        var log = new TestLog();
        await using var first = TestApps.Create(log);
        await using var second = TestApps.Create(log);
        var mine = first.GetChannel<string>("in-a-message");
        var bytes = Serialize(first, new Handoff("note", mine));

        Assert.Same(mine, first.Serializer.Deserialize<Handoff>(bytes).Reply);
        var theirs = second.Serializer.Deserialize<Handoff>(bytes).Reply;
        Assert.NotSame(mine, theirs);
        Assert.Same(second.GetChannel<string>("in-a-message"), theirs);
        Assert.Null(first.Serializer.Deserialize<Handoff>(Serialize(first, new Handoff("none", null!))).Reply);
    }

    [Fact]
    public async Task Reading_a_channel_checks_its_type_and_needs_an_app()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log);
        var bytes = Serialize(app, new SkewedHandoff("skewed", app.GetChannel<int>("typed-int")));

        var mismatch = Assert.Throws<ChannelTypeMismatchException>(() => app.Serializer.Deserialize<Handoff>(bytes));
        Assert.Contains("'typed-int'", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("System.String", mismatch.Message, StringComparison.Ordinal);

        var outside = Assert.ThrowsAny<Exception>(() => MessagePackFirnSerializer.Instance.Deserialize<SkewedHandoff>(bytes));
        Assert.Contains("can only be read by a FirnApp", outside.InnerException?.Message ?? outside.Message, StringComparison.Ordinal);
    }

    private static byte[] Serialize<T>(FirnApp app, T message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        app.Serializer.Serialize(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sends bytes that another program's definition of the message type would produce.</summary>
    private static void SendRaw<T>(FirnApp app, Channel<Handoff> channel, T message)
    {
        var bytes = Serialize(app, message);
        channel.Endpoint.TakeCredit(bytes.Length, CancellationToken.None);
        channel.Endpoint.Send(bytes);
    }
}

/// <summary>The same shape as <see cref="Handoff"/>, with the channel declared as another type.</summary>
/// <param name="Note">Any text.</param>
/// <param name="Reply">A channel of int.</param>
public sealed record SkewedHandoff(string Note, Channel<int> Reply);
