using Firn.Tests.Storage;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hosting;

/// <summary>
/// Every blocking round trip of a child to the main process is bounded by <see cref="FirnAppOptions.CallTimeout"/>:
/// the child is a real process, its main process a <see cref="SilentMain"/> that never answers the request.
/// </summary>
public sealed class RoundTripDeadlineTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(500);

    [Theory]
    [InlineData("deadline-list-channels", "ListChannels", null, "The main process did not answer the request to list channels within 00:00:00.5000000 (FirnAppOptions.CallTimeout).")]
    [InlineData("deadline-rpc-register", "RpcRegister", "RpcUnregister", "The main process did not answer the registration of RPC method 'deadline.method' within 00:00:00.5000000 (FirnAppOptions.CallTimeout); the name was given back.")]
    [InlineData("deadline-service", "RpcRegister", "RpcUnregister", "The main process did not answer the registration of RPC method 'deadline-service.AddAsync' within 00:00:00.5000000 (FirnAppOptions.CallTimeout); the name was given back.")]
    [InlineData("deadline-subscribe", "Subscribe", "Unsubscribe", "The main process did not confirm the subscription to 'event:deadline.event' within 00:00:00.5000000 (FirnAppOptions.CallTimeout); it was withdrawn.")]
    public async Task A_childs_synchronous_round_trip_times_out_on_CallTimeout_naming_the_operation(string scenario, string request, string? withdrawal, string expected)
    {
        await using var main = await SilentMain.StartAsync("asker", CallTimeout, scenario);

        var (type, elapsed, message) = StoreDeadlineTests.Parse(await main.NextReportAsync());

        Assert.Equal(nameof(TimeoutException), type);
        Assert.Equal(expected, message);
        Assert.True(elapsed >= CallTimeout.TotalMilliseconds - 20, $"it failed after {elapsed} ms, before the {CallTimeout} deadline");
        Assert.Contains(main.Received, frame => frame.Kind == Enum.Parse<FrameKind>(request));
        if (withdrawal is not null)
        {
            // What the main process might still have done is undone: the request is followed by its withdrawal.
            await main.UntilReceivedAsync(frame => frame.Kind == Enum.Parse<FrameKind>(withdrawal), $"the child sent {withdrawal}");
        }
    }
}
