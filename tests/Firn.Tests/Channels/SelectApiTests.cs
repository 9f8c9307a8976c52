using Firn.Channels;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>Select and receive deadlines in the calling process (a started main process with no children, so nothing arrives).</summary>
public sealed class SelectApiTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private FirnApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApps.StartAsync(TestApps.Create(_log));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_select_without_cases_is_a_clear_error()
    {
        var select = new Select();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await select.ReceiveAsync());

        Assert.Contains("at least one case", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => select.TryReceive());
    }

    [Fact]
    public async Task A_select_that_times_out_throws_TimeoutException_naming_its_channels()
    {
        var select = new Select().Case(_app.GetChannel<int>("quiet-1"), _ => { }).Case(_app.GetChannel<string>("quiet-2"), _ => { });

        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await select.ReceiveAsync(TimeSpan.FromMilliseconds(50)));

        Assert.Contains("'quiet-1', 'quiet-2'", error.Message, StringComparison.Ordinal);
        Assert.False(select.TryReceive());
    }

    [Fact]
    public async Task Cancelling_a_select_with_a_timeout_is_a_cancellation_not_a_timeout()
    {
        var select = new Select().Case(_app.GetChannel<int>("quiet-3"), _ => { });
        using var cancel = new CancellationTokenSource();

        var waiting = select.ReceiveAsync(TestApps.Timeout, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestApps.Timeout));
    }

    [Fact]
    public void Select_uses_active_mode_so_passive_channels_are_refused_and_the_other_way_round()
    {
        var passive = _app.GetChannel<int>("passive-case");
        using var handler = passive.OnReceive(_ => { });
        var refused = Assert.Throws<InvalidOperationException>(() => new Select().Case(passive, _ => { }));
        Assert.Contains("passive mode", refused.Message, StringComparison.Ordinal);

        var selected = _app.GetChannel<int>("selected-case");
        _ = new Select().Case(selected, _ => { });
        Assert.Equal(ReceiveMode.Active, selected.Mode);
        Assert.Throws<InvalidOperationException>(() => selected.OnReceive(_ => { }));
    }

    [Fact]
    public async Task A_select_over_closed_channels_returns_false_and_RunAsync_completes()
    {
        var first = _app.GetChannel<int>("closed-1");
        var second = _app.GetChannel<int>("closed-2");
        var select = new Select().Case(first, _ => { }).Case(second, _ => { });
        var running = select.RunAsync();

        first.Close();
        Assert.False(running.IsCompleted);
        second.Close();

        await running.WaitAsync(TestApps.Timeout);
        Assert.False(await select.ReceiveAsync());
        Assert.False(await select.ReceiveAsync(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public async Task Channel_ReceiveAsync_with_a_timeout_throws_TimeoutException_or_honours_cancellation()
    {
        var channel = _app.GetChannel<string>("quiet-deadline");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(async () => await channel.ReceiveAsync(TimeSpan.FromMilliseconds(50)));
        Assert.Contains("'quiet-deadline'", timeout.Message, StringComparison.Ordinal);

        using var cancel = new CancellationTokenSource();
        var waiting = channel.ReceiveAsync(TestApps.Timeout, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestApps.Timeout));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await channel.ReceiveAsync(TimeSpan.FromSeconds(-2)));
    }
}
