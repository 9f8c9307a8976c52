using System.Globalization;
using System.Runtime.CompilerServices;

namespace Firn.TestChild;

/// <summary>
/// Large RPC arguments, results and stream items, publications and store values, produced as fast as the API allows
/// (see LargeRpcTests and LargeStoreAndPubSubTests). Each checks what it receives (<see cref="LargePayloads"/>) and
/// reports "ok" or what was wrong.
/// </summary>
internal static class LargeApiScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "large-call":
                // Makes args[2] calls of each length args[3..] at once: "args" sends each payload to "large.take" (which
                // answers its sequence number), "results" asks "large.give" for it (given the number of calls); then
                // reports the outcome.
                await report.SendAsync(await CallAllAsync(app, args[1], Parse(args[2]), [.. args[3..].Select(Parse)]), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-serve":
                // Answers "child.give" (a payload, once all of the calls have arrived, so that their results are produced
                // together) and "child.stream" (a stream of them, as fast as it can).
                var gate = new LargePayloads.Gate();
                app.Rpc.Register("child.give", (int sequence, int length, int total) => gate.GiveAsync(sequence, length, total));
                app.Rpc.Register("child.stream", (int count, int[] lengths) => StreamAsync(count, lengths));
                context.SignalReady();
                await report.SendAsync("ready", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-stream":
                // Reads args[1] streams "large.stream" at once, each of args[2] payloads of each length args[3..], and
                // reports the first bad outcome or "ok".
                var count = Parse(args[2]);
                int[] lengths = [.. args[3..].Select(Parse)];
                var outcomes = await Task.WhenAll(Enumerable.Range(0, Parse(args[1])).Select(_ => LargeReceiver.ReadStreamAsync(app, "large.stream", count, lengths, stopping)));
                await report.SendAsync(outcomes.FirstOrDefault(o => o != "ok") ?? "ok", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-publish":
                // Once told to (a message on "go-{name}"), publishes args[2] payloads of each length args[3..] on topic
                // args[1] with the blocking Publish, back to back, from three threads at once.
                await app.GetChannel<string>("go-" + context.ProcessName).ReceiveAsync(stopping);
                var publications = Payloads(Parse(args[2]), [.. args[3..].Select(Parse)]);
                const int publishers = 3;
                await Task.WhenAll(Enumerable.Range(0, publishers).Select(first => Task.Run(() =>
                {
                    for (var sequence = first; sequence < publications.Length; sequence += publishers)
                    {
                        app.SharedMemory.Publish(args[1], publications[sequence]);
                    }
                })));

                await report.SendAsync("sent", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-subscribe":
                // Subscribes to topic args[1] (args[2] payloads of each length args[3..]); a publication on "large.end"
                // makes it report how many arrived, all intact and none twice, or what was wrong.
                var checker = new PartialReceiver(Parse(args[2]), [.. args[3..].Select(Parse)]);
                app.SharedMemory.Subscribe<byte[]>(args[1], checker.Take, new SubscribeOptions { BufferSize = 100_000 });
                app.SharedMemory.Subscribe<string>("large.end", _ => report.Send(checker.Outcome));
                await report.SendAsync("ready", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "large-store":
                // Sets args[2] values of each length args[3..] at once, then reads back at once those of at most args[1]
                // bytes, and reports the outcome.
                await report.SendAsync(await StoreAllAsync(app, Parse(args[1]), Parse(args[2]), [.. args[3..].Select(Parse)]), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            default:
                return false;
        }

        return true;
    }

    private static async Task<string> CallAllAsync(FirnApp app, string mode, int count, int[] lengths)
    {
        var receiver = new LargeReceiver(count, lengths);
        var payloads = mode == "args" ? Payloads(count, lengths) : [];
        var calls = Enumerable.Range(0, count * lengths.Length).Select(async sequence =>
        {
            var length = LargePayloads.LengthOf(sequence, count, lengths);
            if (mode == "args")
            {
                var answered = await app.Rpc.CallAsync<int>("large.take", payloads[sequence]);
                return answered == sequence ? null : $"bad: call {sequence} was answered as {answered}";
            }

            receiver.Take(await app.Rpc.CallAsync<byte[]>("large.give", sequence, length, count * lengths.Length));
            return null;
        }).ToArray();
        try
        {
            var errors = await Task.WhenAll(calls);
            return errors.FirstOrDefault(e => e is not null) ?? (mode == "args" ? "ok" : await receiver.Outcome);
        }
#pragma warning disable CA1031 // Whatever failed is the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"bad: {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static async Task<string> StoreAllAsync(FirnApp app, int maxRead, int count, int[] lengths)
    {
        try
        {
            var values = Payloads(count, lengths);
            await Task.WhenAll(Enumerable.Range(0, values.Length).Select(sequence => app.SharedMemory.SetAsync($"large/{sequence}", values[sequence]).AsTask()));
            var readable = lengths.Where(l => l <= maxRead).ToArray();
            var receiver = new LargeReceiver(count, readable);
            await Task.WhenAll(Enumerable.Range(0, count * readable.Length).Select(async sequence =>
                receiver.Take(await app.SharedMemory.GetAsync<byte[]>($"large/{sequence}", []))));
            return await receiver.Outcome;
        }
#pragma warning disable CA1031 // Whatever failed is the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"bad: {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static async IAsyncEnumerable<byte[]> StreamAsync(int count, int[] lengths, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var sequence = 0; sequence < count * lengths.Length; sequence++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return LargePayloads.Make(sequence, LargePayloads.LengthOf(sequence, count, lengths));
        }

        await Task.CompletedTask;
    }

    /// <summary>Every payload of a sweep, made before any is sent (making one takes longer than sending it).</summary>
    private static byte[][] Payloads(int count, int[] lengths) =>
        [.. Enumerable.Range(0, count * lengths.Length).Select(sequence => LargePayloads.Make(sequence, LargePayloads.LengthOf(sequence, count, lengths)))];

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Checks payloads of which some may be missing (a subscriber that was not reading misses publications).</summary>
    private sealed class PartialReceiver(int count, int[] lengths)
    {
        private readonly HashSet<int> _seen = [];
        private string? _error;

        public string Outcome
        {
            get
            {
                lock (_seen)
                {
                    return _error ?? "ok " + _seen.Count.ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        public void Take(byte[] payload)
        {
            lock (_seen)
            {
                try
                {
                    if (!_seen.Add(LargePayloads.Check(payload, count, lengths)))
                    {
                        _error ??= "bad: a publication arrived twice";
                    }
                }
                catch (InvalidDataException ex)
                {
                    _error ??= "bad: " + ex.Message;
                }
            }
        }
    }
}
