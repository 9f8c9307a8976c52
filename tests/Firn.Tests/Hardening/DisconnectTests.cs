using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hardening;

/// <summary>
/// A child whose connection to the main process is cut (the main process closes it, as when it dies) hears of it the
/// same way from every feature: <see cref="FirnDisconnectedException"/> with the reason. The child prints what it
/// caught (see Firn.TestChild's DisconnectScenarios).
/// </summary>
public sealed class DisconnectTests
{
    [Theory]
    [InlineData("open")]
    [InlineData("send")]
    [InlineData("receive")]
    [InlineData("list")]
    [InlineData("store")]
    [InlineData("publish")]
    [InlineData("subscribe")]
    [InlineData("register")]
    [InlineData("call")]
    [InlineData("call-after")]
    [InlineData("flush")]
    public async Task Every_feature_reports_a_cut_connection_as_FirnDisconnectedException_with_its_reason(string feature) =>
        Assert.Equal($"disconnect {feature}: FirnDisconnectedException RemotePartyTerminated", await CutAsync(feature));

    [Fact]
    public async Task A_channel_this_child_closed_before_the_cut_still_reads_as_closed() =>
        Assert.StartsWith("disconnect closed-send: ChannelClosedException Channel 'cut-closed-send' was closed (closed by process 'cut')", await CutAsync("closed-send"), StringComparison.Ordinal);

    /// <summary>Runs the child's scenario for <paramref name="feature"/>, cuts its connection once it is ready, and returns the line it printed.</summary>
    private static async Task<string> CutAsync(string feature)
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("cut", ["disconnect", feature]));

        // "call" waits for an answer that never comes; the handler ends when the app stops.
        using var hang = app.Rpc.Register("main.hang", (CancellationToken cancellation) => Task.Delay(Timeout.Infinite, cancellation));
        await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("cut"));

        app.ConnectionTo("cut")!.Close(ConnectionCloseReason.LocallyClosed, "the test cut it");

        var prefix = $"disconnect {feature}:";
        await TestApps.UntilAsync(() => log.Entries.Any(e => e.Message.StartsWith(prefix, StringComparison.Ordinal)), $"the child printed '{prefix} …'");
        return log.Entries.First(e => e.Message.StartsWith(prefix, StringComparison.Ordinal)).Message;
    }
}
