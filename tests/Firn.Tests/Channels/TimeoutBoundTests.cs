using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>
/// The longest timeout a wait accepts is the longest a .NET timer runs, int.MaxValue ms: each wait starts at it and is
/// refused with the same clear error one tick past it (a main process and an echo child, so messages really arrive).
/// </summary>
public sealed class TimeoutBoundTests : IAsyncLifetime
{
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);
    private static readonly TimeSpan TooLong = Longest + TimeSpan.FromTicks(1);

    private readonly TestLog _log = new();
    private FirnApp _app = null!;
    private Channel<string> _ping = null!;
    private Channel<string> _pong = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApps.StartAsync(TestApps.Create(_log, ("echo", ["echo", "bound-ping", "bound-pong"])));
        _ping = _app.GetChannel<string>("bound-ping");
        _pong = _app.GetChannel<string>("bound-pong");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Each_receive_is_refused_one_tick_past_the_longest_timeout_with_a_clear_error()
    {
        var select = new Select().Case(_pong, _ => { });

        var sync = Assert.Throws<ArgumentOutOfRangeException>(() => _pong.Receive(TooLong));
        Assert.Contains("A receive's timeout is between zero and 24.20:31:23.6470000, or Timeout.InfiniteTimeSpan", sync.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _pong.ReceiveAsync(TooLong));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _pong.ReceiveAsync(TimeSpan.MaxValue));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await select.ReceiveAsync(TooLong));
    }

    [Fact]
    public async Task Each_receive_waits_at_the_longest_timeout_and_takes_what_arrives()
    {
        var waiting = _pong.ReceiveAsync(Longest).AsTask();
        await _ping.SendAsync("async");
        Assert.Equal("echo:async", await waiting.WaitAsync(TestApps.Timeout));

        var onThread = Task.Factory.StartNew(() => _pong.Receive(Longest), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await _ping.SendAsync("thread");
        Assert.Equal("echo:thread", await onThread.WaitAsync(TestApps.Timeout));

        var onPool = Task.Run(() => _pong.Receive(Longest));
        await _ping.SendAsync("pool");
        Assert.Equal("echo:pool", await onPool.WaitAsync(TestApps.Timeout));

        string? selected = null;
        var selecting = new Select().Case(_pong, message => selected = message).ReceiveAsync(Longest).AsTask();
        await _ping.SendAsync("select");
        Assert.True(await selecting.WaitAsync(TestApps.Timeout));
        Assert.Equal("echo:select", selected);
    }

    [Fact]
    public async Task A_bad_timeout_is_refused_even_with_a_message_waiting_and_the_message_stays()
    {
        Assert.False(_pong.TryReceive(out _)); // attaches in active mode, so the echo is delivered here
        await _ping.SendAsync("kept");
        await TestApps.UntilAsync(() => _pong.BufferedCount > 0, "the echo arrived");

        Assert.Throws<ArgumentOutOfRangeException>(() => _pong.Receive(TimeSpan.FromMilliseconds(-2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _pong.ReceiveAsync(TimeSpan.FromDays(60)));

        Assert.Equal("echo:kept", _pong.Receive(TimeSpan.Zero));
    }

    [Fact]
    public async Task Call_timeouts_follow_the_same_rule()
    {
        var call = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _app.Rpc.CallAsync<int>("nobody.home", [], TooLong));
        Assert.Contains("A call's timeout is between zero and 24.20:31:23.6470000, or Timeout.InfiniteTimeSpan", call.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => _app.Rpc.GetService<IQuiet>(timeout: TooLong));
        Assert.NotNull(_app.Rpc.GetService<IQuiet>(timeout: Longest));
    }

    /// <summary>A service contract no process exposes.</summary>
    public interface IQuiet
    {
        /// <summary>Never answered.</summary>
        Task<int> PingAsync();
    }
}
