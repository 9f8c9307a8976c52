using Firn.Channels;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>Channel rules that are checked in the calling process (a started main process with no children).</summary>
public sealed class ChannelApiTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private FirnApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApps.StartAsync(TestApps.Create(_log));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void GetChannel_returns_the_same_object_for_a_name()
    {
        Assert.Same(_app.GetChannel<string>("same"), _app.GetChannel<string>("same"));
    }

    [Fact]
    public void Using_a_name_with_another_type_fails_naming_both_types()
    {
        _app.GetChannel<int>("numbers");

        var error = Assert.Throws<ChannelTypeMismatchException>(() => _app.GetChannel<List<string>>("numbers"));

        Assert.Contains("System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.Collections.Generic.List<System.String>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mixing_passive_and_active_mode_in_one_process_is_a_clear_error()
    {
        var passive = _app.GetChannel<string>("passive-first");
        using var handler = passive.OnReceive(_ => { });

        var pull = Assert.Throws<InvalidOperationException>(() => passive.TryReceive(out _));
        Assert.Contains("passive mode", pull.Message, StringComparison.Ordinal);

        var active = _app.GetChannel<string>("active-first");
        Assert.False(active.TryReceive(out _));
        var push = Assert.Throws<InvalidOperationException>(() => active.OnReceive(_ => { }));
        Assert.Contains("active mode", push.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_send_throws_before_anything_is_sent_and_the_channel_still_works()
    {
        var channel = _app.GetChannel<byte[]>("big");

        var error = Assert.Throws<MessageTooLargeException>(() => channel.Send(new byte[17 * 1024 * 1024]));

        Assert.Contains("16777216", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _app.Router.GetStats("big")!.Value.Pending);
        channel.Send(new byte[10]);
        Assert.Equal(1, _app.Router.GetStats("big")!.Value.Pending);
    }

    [Fact]
    public async Task Messages_wait_in_the_router_until_a_receiver_attaches_and_fail_fast_when_full()
    {
        var channel = _app.GetChannel<int>("nobody-listens", new ChannelOptions { FullMode = ChannelFullMode.Fail });
        for (var i = 0; i < 1024; i++)
        {
            Assert.True(channel.TrySend(i));
        }

        Assert.False(channel.TrySend(1024));
        Assert.Throws<ChannelFullException>(() => channel.Send(1024));
        using var cancelled = new CancellationTokenSource();
        var waiting = _app.GetChannel<int>("nobody-listens-wait");
        for (var i = 0; i < 1024; i++)
        {
            waiting.Send(i);
        }

        var blocked = waiting.SendAsync(1024, cancelled.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal(1024, _app.Router.GetStats("nobody-listens-wait")!.Value.Pending);
    }

    [Fact]
    public async Task Close_wakes_a_blocked_sender_and_ends_receivers()
    {
        var channel = _app.GetChannel<int>("to-close", new ChannelOptions());
        for (var i = 0; i < 1024; i++)
        {
            channel.Send(i);
        }

        var blocked = channel.SendAsync(1024).AsTask();
        channel.Close();

        await Assert.ThrowsAsync<ChannelClosedException>(() => blocked.WaitAsync(TestApps.Timeout));
        Assert.True(channel.IsClosed);
        Assert.Throws<ChannelClosedException>(() => channel.Send(1));
        Assert.Throws<ChannelClosedException>(() => channel.TrySend(1));
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await channel.ReceiveAsync());
        Assert.True(_log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "1024 messages"));
    }

    [Fact]
    public void Receive_with_a_timeout_throws_TimeoutException()
    {
        var channel = _app.GetChannel<string>("quiet");

        var error = Assert.Throws<TimeoutException>(() => channel.Receive(TimeSpan.FromMilliseconds(50)));

        Assert.Contains("'quiet'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65537)]
    public void A_receive_buffer_outside_its_range_is_rejected_when_set(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelOptions { ReceiveBufferSize = size });
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nname")]
    public void Invalid_channel_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => _app.GetChannel<int>(name));
    }
}
