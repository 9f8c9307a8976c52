using System.Globalization;

namespace Firn.TestChild;

/// <summary>Shared store and pub/sub scenarios. Results go back on channel "report-{name}".</summary>
internal static class StorageScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var memory = context.App.SharedMemory;
        var report = context.App.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "store-roundtrip":
                // Reads what the main process stored, writes its own keys, and reads them back at once.
                var fromMain = memory.Get<string>("from-main", "missing");
                memory.Set("from-child", new Point(3, 4));
                var own = memory.Get<Point>("from-child");
                var typeError = Catch(() => memory.Get<int>("from-main"));
                var deleted = memory.Delete("to-delete");
                var deletedAgain = await memory.DeleteAsync("to-delete", stopping);
                var absent = memory.TryGet<string>("never-set", out _);
                await report.SendAsync($"{fromMain}|{own}|{typeError}|{deleted}|{deletedAgain}|{absent}", stopping);
                break;

            case "increment":
                // args: key, threads, increments per thread; reports "done" when every increment was acknowledged.
                var key = args[1];
                var threads = Int(args[2]);
                var perThread = Int(args[3]);
                var workers = Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
                {
                    for (var i = 0; i < perThread; i++)
                    {
                        memory.Increment(key);
                    }
                }));
                await Task.WhenAll(workers);
                await report.SendAsync("done", stopping);
                break;

            case "cas-increment":
                // args: key, threads, increments per thread; each increment is a read + compare-and-set retry loop.
                var casKey = args[1];
                var casWorkers = Enumerable.Range(0, Int(args[2])).Select(_ => Task.Run(async () =>
                {
                    for (var i = 0; i < Int(args[3]); i++)
                    {
                        while (true)
                        {
                            var current = await memory.GetAsync<long>(casKey, 0L);
                            if (await memory.CompareAndSetAsync(casKey, current, current + 1))
                            {
                                break;
                            }
                        }
                    }
                }));
                await Task.WhenAll(casWorkers);
                await report.SendAsync("done", stopping);
                break;

            case "pipelined":
                // Many calls in flight at once from one process: every result is distinct.
                var results = await Task.WhenAll(Enumerable.Range(0, Int(args[2])).Select(_ => memory.IncrementAsync(args[1]).AsTask()));
                await report.SendAsync(string.Join(',', results.Order()), stopping);
                break;

            case "increment-forever":
                // Reports every 100th acknowledged value until it is killed.
                for (var i = 1L; !stopping.IsCancellationRequested; i++)
                {
                    var value = await memory.IncrementAsync(args[1], 1, stopping);
                    if (value % 100 == 0)
                    {
                        await report.SendAsync(value.ToString(CultureInfo.InvariantCulture), stopping);
                    }
                }

                break;

            case "subscribe":
                // args: topic or pattern, count; reports each received "topic=data" in order, then "ready" first.
                var expected = Int(args[2]);
                var received = new List<string>();
                var all = new TaskCompletionSource();
                using (memory.Subscribe<string>(args[1], (topic, data) =>
                {
                    received.Add(topic + "=" + data);
                    if (received.Count == expected)
                    {
                        all.TrySetResult();
                    }
                }))
                {
                    await report.SendAsync("ready", stopping);
                    await all.Task.WaitAsync(stopping);
                }

                await report.SendAsync(string.Join(',', received), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "count-subscribe":
                // args: topic, count; reports "ready", then "count:N" once N publications arrived (their data is not echoed).
                var target = Int(args[2]);
                var counted = 0;
                var reached = new TaskCompletionSource();
                using (memory.Subscribe<string>(args[1], _ =>
                {
                    if (++counted == target)
                    {
                        reached.TrySetResult();
                    }
                }, new SubscribeOptions { BufferSize = 1_000_000 }))
                {
                    await report.SendAsync("ready", stopping);
                    await reached.Task.WaitAsync(stopping);
                    await report.SendAsync("count:" + counted.ToString(CultureInfo.InvariantCulture), stopping);
                    await Scenarios.WaitForStop(stopping);
                }

                break;

            case "publish":
                // args: topic, count; once told "go" on its active channel, publishes "0".."count-1" on the topic,
                // which it also subscribes to: a process hears its own publications.
                var heard = new TaskCompletionSource<string>();
                using (memory.Subscribe<string>(args[1], data => heard.TrySetResult(data)))
                {
                    await context.ActiveChannel.ReceiveAsync(stopping);
                    for (var i = 0; i < Int(args[2]); i++)
                    {
                        memory.Publish(args[1], i.ToString(CultureInfo.InvariantCulture));
                    }

                    await report.SendAsync("published, heard " + await heard.Task.WaitAsync(stopping), stopping);
                }

                await Scenarios.WaitForStop(stopping);
                break;

            default:
                return false;
        }

        return true;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static string Catch(Action action)
    {
        try
        {
            action();
            return "no error";
        }
        catch (StoreTypeMismatchException ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>A small record stored by the tests.</summary>
/// <param name="X">X.</param>
/// <param name="Y">Y.</param>
public sealed record Point(int X, int Y);
