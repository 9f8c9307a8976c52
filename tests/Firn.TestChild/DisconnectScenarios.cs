namespace Firn.TestChild;

/// <summary>
/// A lost connection to the main process, seen from each feature. The test cuts the connection after "ready"; the child
/// then cannot report on a channel, so it prints "disconnect {feature}: {exception type} {reason or message}" to its
/// standard output, which the main process logs.
/// </summary>
internal static class DisconnectScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        if (args[0] != "disconnect")
        {
            return false;
        }

        // args: feature. What is in flight when the connection goes (a receive, a call) is started before "ready".
        var app = context.App;
        var feature = args[1];
        var channel = feature is "send" or "closed-send" or "receive" ? app.GetChannel<int>($"{context.ProcessName}-{feature}") : null;
        Task? inFlight = feature switch
        {
            "receive" => channel!.ReceiveAsync().AsTask(),
            "call" => app.Rpc.CallAsync("main.hang", [], Timeout.InfiniteTimeSpan),
            _ => null,
        };
        if (feature == "closed-send")
        {
            channel!.Close();
        }

        await app.GetChannel<string>("report-" + context.ProcessName).SendAsync("ready");

        // The child's Stopping fires once every feature has heard of the lost connection. From then on its entry has a
        // second (FirnApp.OrphanGrace) before the process ends: every operation below fails at once.
        await Scenarios.WaitForStop(context.Stopping);
        string outcome;
        try
        {
            await (inFlight ?? RunAsync(app, feature, channel));
            outcome = "no exception";
        }
        catch (Exception ex)
        {
            outcome = $"{ex.GetType().Name} {(ex is FirnDisconnectedException disconnected ? disconnected.Reason.ToString() : ex.Message)}";
        }

        Console.WriteLine($"disconnect {feature}: {outcome}");
        return true;
    }

    private static async Task RunAsync(FirnApp app, string feature, Channel<int>? channel)
    {
        switch (feature)
        {
            case "open":
                app.GetChannel<int>("opened-after-the-cut");
                break;
            case "send" or "closed-send":
                channel!.Send(1);
                break;
            case "list":
                await app.GetChannelsAsync();
                break;
            case "store":
                app.SharedMemory.Set("k", 1);
                break;
            case "publish":
                app.SharedMemory.Publish("topic", 1);
                break;
            case "subscribe":
                using (app.SharedMemory.Subscribe<int>("topic", _ => { }))
                {
                }

                break;
            case "call-after":
                await app.Rpc.CallAsync("main.hang");
                break;
            case "register":
                app.Rpc.Register("registered-after-the-cut", () => 1);
                break;
            case "flush":
                await app.FlushAsync();
                break;
            default:
                throw new ArgumentException($"Unknown feature '{feature}'.");
        }
    }
}
