using System.Diagnostics;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>When a read thread polls its socket before it blocks (<see cref="ReadPoll"/>), and who agrees to it.</summary>
public sealed class ReadPollTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMicroseconds(50);

    [Fact]
    public void A_zero_window_never_polls()
    {
        var poll = new ReadPoll(TimeSpan.Zero);
        Assert.False(poll.ShouldPoll);
        poll.Caught();
        Assert.False(poll.ShouldPoll);
        poll.Blocked(0);
        Assert.False(poll.ShouldPoll);
    }

    [Fact]
    public void Polling_goes_on_while_polls_catch_bytes_and_after_a_miss_waits_for_bytes_within_the_window()
    {
        var poll = new ReadPoll(Window);
        var window = (long)(Window.TotalSeconds * Stopwatch.Frequency);
        Assert.Equal(window, poll.WindowTicks);
        Assert.True(poll.ShouldPoll);

        poll.Caught();
        Assert.True(poll.ShouldPoll);

        // A poll that caught nothing is followed by a blocking read that waited past the window: polling stops, even
        // for bytes that came just after it (a pace of a little more than a window would otherwise poll in vain forever).
        poll.Blocked(window + 1);
        Assert.False(poll.ShouldPoll);

        // Stopped, it stays stopped while bytes come far apart, and takes up polling when a blocking read returns within
        // the window of its start.
        poll.Blocked(Stopwatch.Frequency);
        Assert.False(poll.ShouldPoll);
        poll.Blocked(window);
        Assert.True(poll.ShouldPoll);
    }

    [Fact]
    public void A_process_offers_polling_only_with_a_window_above_zero()
    {
        Assert.Equal(Capabilities.TraceContext | Capabilities.SocketPoll, CapabilityList.Offered(TimeSpan.FromTicks(1)));
        Assert.Equal(Capabilities.TraceContext, CapabilityList.Offered(TimeSpan.Zero));
        Assert.Equal(["trace-context", "socket-poll"], CapabilityList.Names(CapabilityList.Supported));

        var hello = Handshake.EncodeHello("worker", "secret", CapabilityList.Offered(Window));
        Assert.Equal(CapabilityList.Supported, Handshake.DecodeHello(hello).Offered);
    }

    [Fact]
    public void The_window_is_zero_to_one_millisecond()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(100), new FirnAppOptions().SocketPollWindow);
        Assert.Equal(TimeSpan.Zero, new FirnAppOptions { SocketPollWindow = TimeSpan.Zero }.SocketPollWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(1), new FirnAppOptions { SocketPollWindow = TimeSpan.FromMilliseconds(1) }.SocketPollWindow);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { SocketPollWindow = TimeSpan.FromMilliseconds(1) + TimeSpan.FromTicks(1) });
        Assert.Contains("at most 00:00:00.0010000", tooLong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { SocketPollWindow = TimeSpan.FromTicks(-1) });
    }
}
