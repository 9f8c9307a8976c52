using System.Globalization;

namespace Firn.TestChild;

/// <summary>A sender's window and byte budget as its messages go straight to a receiver. Results go back on channel "report-{name}".</summary>
internal static class FlowScenarios
{
    /// <summary>How long a send that should not have to wait may wait before the scenario reports it stuck.</summary>
    private static readonly TimeSpan SendDeadline = TimeSpan.FromSeconds(20);

    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var report = context.App.GetChannel<string>("report-" + context.ProcessName);
        switch (args[0])
        {
            case "window-after-handed":
                await report.SendAsync(await WindowAfterHandedAsync(args, context), context.Stopping);
                break;

            case "bytes-after-handed":
                await report.SendAsync(await BytesAfterHandedAsync(args, context), context.Stopping);
                break;

            default:
                return false;
        }

        await Scenarios.WaitForStop(context.Stopping);
        return true;
    }

    /// <summary>
    /// args: channel, go channel, window. Sends 0 and waits for "go" (the main process took it, so its one slot is free);
    /// then 1, which goes straight into that slot, and window more, which wait in the router. Reports how many sends
    /// completed before the deadline, and whether one more would fit.
    /// </summary>
    private static async Task<string> WindowAfterHandedAsync(string[] args, FirnProcessContext context)
    {
        var channel = context.App.GetChannel<int>(args[1]);
        var go = context.App.GetChannel<string>(args[2]);
        var window = int.Parse(args[3], CultureInfo.InvariantCulture);
        await channel.SendAsync(0, context.Stopping);
        await go.ReceiveAsync(context.Stopping);
        var sent = 1 + await SendUntilStuckAsync(window + 1, (i, token) => channel.SendAsync(1 + i, token), context.Stopping);
        return $"sent:{sent}|one-more:{channel.TrySend(-1)}";
    }

    /// <summary>
    /// args: channel, go channel, count, size, large size. Sends a message of one byte and waits for "go" (the main process
    /// received it); then count messages of size bytes, which go straight to the main process's buffer, then one of large
    /// size. Reports how many of the count + 1 sends completed before the deadline.
    /// </summary>
    private static async Task<string> BytesAfterHandedAsync(string[] args, FirnProcessContext context)
    {
        var channel = context.App.GetChannel<byte[]>(args[1]);
        var go = context.App.GetChannel<string>(args[2]);
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var small = new byte[int.Parse(args[4], CultureInfo.InvariantCulture)];
        var large = new byte[int.Parse(args[5], CultureInfo.InvariantCulture)];
        await channel.SendAsync(new byte[] { 1 }, context.Stopping);
        await go.ReceiveAsync(context.Stopping);
        var sent = await SendUntilStuckAsync(count + 1, (i, token) => channel.SendAsync(i < count ? small : large, token), context.Stopping);
        return $"sent:{sent}";
    }

    /// <summary>Runs up to <paramref name="count"/> sends in order, each with a deadline; returns how many completed before one missed it.</summary>
    private static async Task<int> SendUntilStuckAsync(int count, Func<int, CancellationToken, ValueTask> send, CancellationToken stopping)
    {
        for (var i = 0; i < count; i++)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(SendDeadline);
            try
            {
                await send(i, deadline.Token);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return i;
            }
        }

        return count;
    }
}
