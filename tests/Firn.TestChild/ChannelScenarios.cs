
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

            case "passive-echo":
                // Passive mode with a sync filter and an async filter on the built-in passive channel.
                var replies = app.GetChannel<string>(args[1]);
                context.PassiveChannel.OnReceive(message => replies.Send("sync:" + message), message => message is string s && s.StartsWith('a'));
                context.PassiveChannel.OnReceive(
                    async message =>
                    {
                        await Task.Yield();
                        await replies.SendAsync("async:" + message);
                    },
                    async message =>
                    {
                        await Task.Yield();
                        return message is string s && s.StartsWith('b');
                    });
                context.PassiveChannel.OnReceive(message => throw new InvalidOperationException("handler failure on purpose"), message => message is "crash");
                await report.SendAsync("ready", stopping);
                await WaitForStop(stopping);
                break;

            case "send-ints":
                // Sends args[2] numbers 0..n-1 on Channel<int> args[1], in order.
                var numbers = app.GetChannel<int>(args[1]);
                var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
                for (var i = 0; i < count; i++)
                {
                    await numbers.SendAsync(i, stopping);
                }

                await report.SendAsync("sent", stopping);
                await WaitForStop(stopping);
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

            case "self-talk":
                // Sends 100 strings on args[1] and receives on it too: it must only get the other side's messages.
                var both = app.GetChannel<string>(args[1]);
                var ownPrefix = context.ProcessName + "-";
                var received = 0;
                var own = 0;
                both.OnReceive(message =>
                {
                    if (message.StartsWith(ownPrefix, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref own);
                    }

                    if (Interlocked.Increment(ref received) == 100)
                    {
                        report.Send($"received={received} own={own}");
                    }
                });
                for (var i = 0; i < 100; i++)
                {
                    await both.SendAsync(ownPrefix + i, stopping);
                }

                await WaitForStop(stopping);
                break;

            case "type-clash":
                // The test opened args[1] as Channel<int>; opening it as Channel<string> must fail with both names.
                try
                {
                    app.GetChannel<string>(args[1]);
                    await report.SendAsync("no error", stopping);
                }
                catch (ChannelTypeMismatchException ex)
                {
                    await report.SendAsync(ex.Message, stopping);
                }

                await WaitForStop(stopping);
                break;

            case "stall":
                // Receives one message on Channel<int> args[1], then stops consuming: the slow receiver.
                var stalled = app.GetChannel<int>(args[1], new ChannelOptions { ReceiveBufferSize = 16 });
                await stalled.ReceiveAsync(stopping);
                await report.SendAsync("stalled", stopping);
                await WaitForStop(stopping);
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
