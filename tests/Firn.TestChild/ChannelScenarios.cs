
namespace Firn.TestChild;

/// <summary>Channel scenarios.</summary>
internal static class ChannelScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "echo":
                // Active mode: every string on args[1] comes back on args[2] with the child's name.
                var input = app.GetChannel<string>(args[1]);
                var output = app.GetChannel<string>(args[2]);
                await foreach (var message in input.ReadAllAsync(stopping))
                {
                    await output.SendAsync(context.ProcessName + ":" + message, stopping);
                }

                await report.SendAsync("echo-closed", stopping);
                break;

            case "work":
                // One of several workers sharing Channel<int> args[1]; each item goes back on args[2] tagged with the worker.
                var work = app.GetChannel<int>(args[1]);
                var done = app.GetChannel<WorkResult>(args[2]);
                await foreach (var item in work.ReadAllAsync(stopping))
                {
                    await done.SendAsync(new WorkResult(context.ProcessName, item), stopping);
                }

                break;

            case "restart-on-request":
                // Reports its pid; asks for a restart when it receives "restart" on its active channel.
                await report.SendAsync("pid=" + Environment.ProcessId, stopping);
                while (!stopping.IsCancellationRequested)
                {
                    if (await context.ActiveChannel.ReceiveAsync(stopping) is "restart")
                    {
                        context.RequestRestart();
                    }
                }

                break;

            case "idle":
                await report.SendAsync("pid=" + Environment.ProcessId, stopping);
                await WaitForStop(stopping);
                break;

            case "busy":
                // One thread spins until the child is stopped: busy, but its read loop still answers heartbeats.
                var spinner = new Thread(() =>
                {
                    while (!stopping.IsCancellationRequested)
                    {
                        Thread.SpinWait(1000);
                    }
                })
                { IsBackground = true };
                spinner.Start();
                await report.SendAsync("pid=" + Environment.ProcessId, stopping);
                await WaitForStop(stopping);
                break;

            default:
                return false;
        }

        return true;
    }

    private static Task WaitForStop(CancellationToken stopping) => Scenarios.WaitForStop(stopping);
}

/// <summary>A work item's result: which worker handled which item.</summary>
/// <param name="Worker">The worker's process name.</param>
/// <param name="Item">The item.</param>
public sealed record WorkResult(string Worker, int Item);
