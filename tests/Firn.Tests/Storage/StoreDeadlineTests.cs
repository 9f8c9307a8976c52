using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Storage;

/// <summary>
/// A child's store calls end by their deadline or token when the main process does not answer: the child is a real
/// process, its main process a <see cref="SilentMain"/> that records store requests and never answers them.
/// </summary>
public sealed class StoreDeadlineTests
{
    /// <summary>Below a second a timer watches each request; from a second on, the pending requests' sweep does.</summary>
    [Theory]
    [InlineData("deadline-store-get", 500)]
    [InlineData("deadline-store-set-sync", 500)]
    [InlineData("deadline-store-get", 1200)]
    [InlineData("deadline-store-set-sync", 1200)]
    public async Task A_childs_store_call_times_out_on_CallTimeout_when_main_does_not_answer(string scenario, int timeoutMs)
    {
        var callTimeout = TimeSpan.FromMilliseconds(timeoutMs);
        await using var main = await SilentMain.StartAsync("storer", callTimeout, scenario);

        var (type, elapsed, message) = Parse(await main.NextReportAsync());

        Assert.Equal(nameof(TimeoutException), type);
        var operation = scenario == "deadline-store-get" ? "Get" : "Set";
        Assert.Equal(
            $"The main process did not answer the store request {operation} 'deadline.key' within {callTimeout} (FirnAppOptions.CallTimeout); it may still take effect.",
            message);

        // It waited for the deadline (timers do not fire early; allow for the clock's granularity), not for something else.
        Assert.True(elapsed >= callTimeout.TotalMilliseconds - 20, $"it failed after {elapsed} ms, before the {callTimeout} deadline");
        Assert.Contains(main.Received, frame => frame.Kind == FrameKind.StoreRequest);
    }

    /// <summary>With no call timeout, or one far off (watched by the sweep), the token is the only thing that can end the wait.</summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(60_000)]
    public async Task A_childs_store_call_is_cancelled_by_its_token_while_main_does_not_answer(int timeoutMs)
    {
        await using var main = await SilentMain.StartAsync("storer", TimeSpan.FromMilliseconds(timeoutMs), "deadline-store-cancel", "300");

        var (type, elapsed, message) = Parse(await main.NextReportAsync());

        Assert.True(type is nameof(OperationCanceledException) or nameof(TaskCanceledException), $"{type}: {message}");
        Assert.True(elapsed >= 280, $"it ended after {elapsed} ms, before its token fired");
        Assert.Contains(main.Received, frame => frame.Kind == FrameKind.StoreRequest);
    }

    /// <summary>Splits a deadline scenario's report "{exception type}|{elapsed ms}|{message}".</summary>
    internal static (string Type, long ElapsedMs, string Message) Parse(string report)
    {
        var parts = report.Split('|', 3);
        Assert.True(parts.Length == 3, $"the call did not fail: {report}");
        return (parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
    }
}
