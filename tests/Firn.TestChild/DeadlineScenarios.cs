using System.Diagnostics;
using System.Globalization;

namespace Firn.TestChild;

/// <summary>
/// Round trips to a main process that never answers them (the test's <c>SilentMain</c>). Each scenario makes one
/// call and reports how it ended on channel "report-{name}" as "{exception type}|{elapsed ms}|{message}", or "ok".
/// The child's <see cref="FirnAppOptions.CallTimeout"/> comes from FIRN_TEST_CALL_TIMEOUT_MS (see Program.cs).
/// </summary>
internal static class DeadlineScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        Func<Task> call;
        switch (args[0])
        {
            case "deadline-store-get":
                call = async () => await app.SharedMemory.GetAsync<int>("deadline.key");
                break;
            case "deadline-store-set-sync":
                call = () => Task.Run(() => app.SharedMemory.Set("deadline.key", 1));
                break;
            case "deadline-store-cancel":
                // args[1]: after how many milliseconds the token fires.
                call = async () =>
                {
                    using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(int.Parse(args[1], CultureInfo.InvariantCulture)));
                    await app.SharedMemory.GetAsync<int>("deadline.key", cancellationToken: cancel.Token);
                };
                break;
            case "deadline-list-channels":
                call = () => app.GetChannelsAsync().AsTask();
                break;
            case "deadline-rpc-register":
                call = () => Task.Run(() => app.Rpc.Register("deadline.method", () => 1));
                break;
            case "deadline-service":
                call = () => Task.Run(() => app.Rpc.AddService<ICalculator>(new Calculator(context.ProcessName, report), "deadline-service"));
                break;
            case "deadline-subscribe":
                call = () => Task.Run(() => app.Events.Subscribe("deadline.event", _ => { }));
                break;
            default:
                return false;
        }

        var watch = Stopwatch.StartNew();
        string outcome;
        try
        {
            await call();
            outcome = "ok";
        }
#pragma warning disable CA1031 // Whatever the call threw is the scenario's result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = string.Create(CultureInfo.InvariantCulture, $"{ex.GetType().Name}|{watch.ElapsedMilliseconds}|{ex.Message}");
        }

        await report.SendAsync(outcome, context.Stopping);
        await Scenarios.WaitForStop(context.Stopping);
        return true;
    }
}
