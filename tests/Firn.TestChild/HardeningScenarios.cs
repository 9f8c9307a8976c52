using System.Globalization;

namespace Firn.TestChild;

/// <summary>Limits and faults. Results go back on channel "report-{name}".</summary>
internal static class HardeningScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "open-channels":
                // args: count, existing channel. Creates that many new channels, then tries one more, then opens an existing one.
                var count = int.Parse(args[1], CultureInfo.InvariantCulture);
                for (var i = 0; i < count; i++)
                {
                    app.GetChannel<int>($"{context.ProcessName}-c{i}");
                }

                // Caught by its public type: a child's code can tell the limit from other failures.
                string oneMore;
                try
                {
                    app.GetChannel<int>($"{context.ProcessName}-one-more");
                    oneMore = "ok";
                }
                catch (ChannelLimitException ex)
                {
                    oneMore = "error:" + ex.Message;
                }

                var existing = Try(() => app.GetChannel<string>(args[2]));
                await report.SendAsync($"opened:{count}|{oneMore}|{existing}", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "subscribe-many":
                // args: count. Subscribes to that many topics (all requests in flight at once), then tries one more.
                var subscriptions = (await Task.WhenAll(Enumerable.Range(0, int.Parse(args[1], CultureInfo.InvariantCulture))
                    .Select(i => app.SharedMemory.SubscribeAsync<int>($"t{i}", (_, _) => Task.CompletedTask, cancellationToken: stopping).AsTask()))).ToList<IDisposable>();

                string extra;
                try
                {
                    subscriptions.Add(await app.SharedMemory.SubscribeAsync<int>("t-one-more", (_, _) => Task.CompletedTask, cancellationToken: stopping));
                    extra = "subscribed";
                }
                catch (StoreException ex)
                {
                    extra = "error:" + ex.Message;
                }

                await report.SendAsync($"subscribed:{subscriptions.Count}|{extra}", stopping);
                await Scenarios.WaitForStop(stopping);
                subscriptions.ForEach(s => s.Dispose());
                break;

            case "chaos-sink":
                // args: input channel, output channel. Passes every number on to the main process from its handler, so a
                // number counts as received only once it was forwarded (the acknowledgement follows the forward).
                var output = app.GetChannel<int>(args[2]);
                app.GetChannel<int>(args[1]).OnReceive(number => output.Send(number));
                await report.SendAsync("pid=" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "send-flush-die":
                // args: channel, count. Sends that many numbers, waits until they left the process, then SIGKILLs itself.
                var lastWords = app.GetChannel<int>(args[1]);
                for (var i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++)
                {
                    await lastWords.SendAsync(i, stopping);
                }

                await app.FlushAsync(stopping);
                System.Diagnostics.Process.GetCurrentProcess().Kill();
                break;

            case "send-then-die":
                // args: channel, count, way. Sends the numbers 0..count-1 with Send (queued, not waited for), then at once:
                // "throw" from a thread of its own (an unhandled exception), "exit" (Environment.Exit(3)), "return" from
                // the entry, or "entry-throws".
                var numbered = app.GetChannel<int>(args[1]);
                for (var i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++)
                {
                    numbered.Send(i);
                }

                switch (args[3])
                {
                    case "throw":
                        var dying = new Thread(() => throw new InvalidOperationException("an unhandled exception on purpose"));
                        dying.Start();
                        dying.Join();
                        break;
                    case "exit":
                        Environment.Exit(3);
                        break;
                    case "entry-throws":
                        throw new InvalidOperationException("the entry fails on purpose");
                }

                break;

            case "echo-subscribe":
                // args: topic, channel. Subscribes to the topic; every publication "{n}:..." sends n back on the channel.
                var echoes = app.GetChannel<int>(args[2]);
                using (app.SharedMemory.Subscribe<string>(args[1], text => echoes.Send(int.Parse(text.AsSpan(0, text.IndexOf(':')), CultureInfo.InvariantCulture)), new SubscribeOptions { BufferSize = 1_000_000 }))
                {
                    await report.SendAsync("ready", stopping);
                    await Scenarios.WaitForStop(stopping);
                }

                break;

            case "discard":
                // args: channel. Receives every byte[] on the channel and drops it.
                app.GetChannel<byte[]>(args[1]).OnReceive(_ => { });
                await report.SendAsync("ready", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "blast":
                // args: channel. Registers "{name}.hang" (never answers), then sends 256 KiB messages until it is stopped,
                // so a kill almost surely lands in the middle of a frame.
                app.Rpc.Register($"{context.ProcessName}.hang", async (CancellationToken token) => await Task.Delay(Timeout.Infinite, token));
                var blast = app.GetChannel<byte[]>(args[1]);
                var chunk = new byte[256 * 1024];
                context.SignalReady();
                await report.SendAsync("pid=" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture), stopping);
                while (!stopping.IsCancellationRequested)
                {
                    await blast.SendAsync(chunk, stopping);
                }

                break;

            case "fill-bytes":
                // args: channel, message size. Sends messages of that many bytes with TrySend until one does not fit,
                // reports how many went, then sends one more with SendAsync (it waits for room) and reports "sent-after-wait".
                var big = app.GetChannel<byte[]>(args[1]);
                var message = new byte[int.Parse(args[2], CultureInfo.InvariantCulture)];
                var fitted = 0;
                while (big.TrySend(message))
                {
                    fitted++;
                }

                await report.SendAsync("fitted:" + fitted.ToString(CultureInfo.InvariantCulture), stopping);
                await big.SendAsync(message, stopping);
                await report.SendAsync("sent-after-wait", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "send-over-limit":
                // args: channel, size. Sends a byte[] of that size on the channel and stores one, reporting each refusal,
                // then sends a 3-byte array, which must still travel.
                var sizeOver = int.Parse(args[2], CultureInfo.InvariantCulture);
                var over = app.GetChannel<byte[]>(args[1]);
                var sent = TryTooLarge(() => over.Send(new byte[sizeOver]));
                var stored = TryTooLarge(() => app.SharedMemory.Set("over-limit", new byte[sizeOver]));
                over.Send([1, 2, 3]);
                await report.SendAsync($"{sent}|{stored}", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "receive-bytes":
                // args: channel. Reports the length of every byte[] that arrives.
                await foreach (var bytes in app.GetChannel<byte[]>(args[1]).ReadAllAsync(stopping))
                {
                    await report.SendAsync("length:" + bytes.Length.ToString(CultureInfo.InvariantCulture), stopping);
                }

                break;

            default:
                return false;
        }

        return true;
    }

    private static string TryTooLarge(Action action)
    {
        try
        {
            action();
            return "ok";
        }
        catch (MessageTooLargeException ex)
        {
            return "refused:" + ex.Message;
        }
    }

    private static string Try(Action action)
    {
        try
        {
            action();
            return "ok";
        }
        catch (FirnException ex)
        {
            return "error:" + ex.Message;
        }
    }
}
