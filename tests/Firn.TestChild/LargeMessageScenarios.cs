using System.Globalization;

namespace Firn.TestChild;

/// <summary>Large channel messages sent as fast as the sender can, to slow and fast receivers (see LargeMessageTests).</summary>
internal static class LargeMessageScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "large-send":
                // Sends args[2] messages of each length args[3..] on Channel<byte[]> args[1], as fast as it can.
                var output = app.GetChannel<byte[]>(args[1]);
                var sendCount = Parse(args[2]);
                var sendLengths = args[3..].Select(Parse).ToArray();
                for (var sequence = 0; sequence < sendCount * sendLengths.Length; sequence++)
                {
                    await output.SendAsync(LargePayloads.Make(sequence, LargePayloads.LengthOf(sequence, sendCount, sendLengths)), stopping);
                }

                await report.SendAsync("sent", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-receive":
                // Receives args[4] messages of each length args[5..] on Channel<byte[]> args[1], in a handler that takes
                // args[3] ms over each, with a receive buffer of args[2] messages.
                var bufferSize = Parse(args[2]);
                var delay = Parse(args[3]);
                var receiver = new LargeReceiver(Parse(args[4]), [.. args[5..].Select(Parse)]);
                app.GetChannel<byte[]>(args[1], new ChannelOptions { ReceiveBufferSize = bufferSize }).OnReceive(message =>
                {
                    Thread.Sleep(delay);
                    receiver.Take(message);
                });
                await report.SendAsync("ready", stopping);
                await report.SendAsync(await receiver.Outcome.WaitAsync(stopping), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            default:
                return false;
        }

        return true;
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
