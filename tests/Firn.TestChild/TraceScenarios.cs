using System.Collections.Concurrent;
using System.Diagnostics;

namespace Firn.TestChild;

/// <summary>
/// Tracing scenarios. With FIRN_TEST_TRACE=1 the child listens to Firn's spans from its start (see <see cref="Listen"/>),
/// so its process span and every span after it are recorded; each finished span is kept as one line
/// (name|kind|trace id|span id|parent span id|linked span ids), for the test to read.
/// </summary>
internal static class TraceScenarios
{
    private static readonly ConcurrentQueue<string> Finished = new();
    private static Action<Activity>? s_stopped;

    /// <summary>Listens to every span of the "Firn" source in this process, when the test asked for it.</summary>
    public static ActivityListener? Listen()
    {
        if (Environment.GetEnvironmentVariable("FIRN_TEST_TRACE") != "1")
        {
            return null;
        }

        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Firn",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                Finished.Enqueue(Describe(activity));
                s_stopped?.Invoke(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        switch (args[0])
        {
            case "trace-send":
                // Sends "x" on channel "plain", then reports "sent".
                await app.GetChannel<string>("plain").SendAsync("x", context.Stopping);
                await report.SendAsync("sent", context.Stopping);
                await Scenarios.WaitForStop(context.Stopping);
                return true;

            case "trace-relay":
                // Reports its process span; then, for each message on "trace-in", sends "reply:{text}" on "trace-out" and
                // calls "main.echo" with the text. Once a message's consumer span has finished, it reports every span
                // finished so far, one per line.
                await report.SendAsync("process-span|" + (Activity.Current is { } current ? Describe(current) : "none"), context.Stopping);
                var output = app.GetChannel<string>("trace-out");
                s_stopped = activity =>
                {
                    if (activity.OperationName == "process trace-in")
                    {
                        report.Send(string.Join('\n', Finished));
                    }
                };
                using (app.GetChannel<string>("trace-in").OnReceive(async text =>
                {
                    await output.SendAsync("reply:" + text);
                    await app.Rpc.CallAsync<string>("main.echo", text);
                }))
                {
                    await report.SendAsync("ready", context.Stopping);
                    await Scenarios.WaitForStop(context.Stopping);
                }

                return true;

            default:
                return false;
        }
    }

    private static string Describe(Activity activity) =>
        string.Join('|', activity.OperationName, activity.Kind, activity.TraceId, activity.SpanId, activity.ParentSpanId, string.Join(',', activity.Links.Select(l => l.Context.SpanId)));
}
