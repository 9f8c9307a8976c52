using System.Diagnostics;
using System.Globalization;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// What each Firn child of the benchmark does, chosen by its name's prefix. Children take commands on their
/// built-in active channel and report figures on the "report" channel.
/// </summary>
internal static partial class ChildRoles
{
    public const string ReportChannel = "report";

    public static Func<FirnProcessContext, Task> For(string name) => name switch
    {
        _ when name.Contains("-send-", StringComparison.Ordinal) => SenderAsync,
        "b2-echo" or "s2-echo" => EchoAsync,
        "b3-client" or OnRedis.FirnRedisStore.Client => StoreClientAsync,
        "b4-client" => RpcClientAsync,
        FirnLargeRpc.Client => LargeRpcClientAsync,
        _ when name.StartsWith("b5-sub-", StringComparison.Ordinal) => SubscriberAsync,
        "b6-echo" => StartEchoAsync,
        _ when name.StartsWith("b7-idle-", StringComparison.Ordinal) => IdleAsync,
        "b7-opener" => ChannelOpenerAsync,
        "b7-source" => FastSourceAsync,
        _ => throw new InvalidOperationException($"No benchmark child role for '{name}'."),
    };

    /// <summary>B1, B8, S1: on "send &lt;channel&gt; &lt;size&gt; &lt;count&gt;", sends count messages (size 0: the 64-character string).</summary>
    private static async Task SenderAsync(FirnProcessContext context)
    {
        while (!context.Stopping.IsCancellationRequested)
        {
            var command = await NextCommandAsync(context);
            var channel = command[1];
            var size = int.Parse(command[2], CultureInfo.InvariantCulture);
            var count = long.Parse(command[3], CultureInfo.InvariantCulture);
            if (size == 0)
            {
                var strings = context.App.GetChannel<string>(channel);
                for (var i = 0L; i < count; i++)
                {
                    strings.Send(Payload.Text64);
                }
            }
            else
            {
                var bytes = context.App.GetChannel<byte[]>(channel);
                var message = Payload.Bytes(size);
                for (var i = 0L; i < count; i++)
                {
                    bytes.Send(message);
                }
            }
        }
    }

    /// <summary>B2, S2: answers every ping on the pong channel (passive handler).</summary>
    private static Task EchoAsync(FirnProcessContext context)
    {
        var app = context.App;
        if (context.ProcessName == "b2-echo")
        {
            var pong = app.GetChannel<string>("b2-pong");
            app.GetChannel<string>("b2-ping").OnReceive(pong.Send);
        }
        else
        {
            var pong = app.GetChannel<byte[]>("s2-pong");
            app.GetChannel<byte[]>("s2-ping").OnReceive(pong.Send);
        }

        return Task.Delay(Timeout.Infinite, context.Stopping);
    }

    /// <summary>
    /// B3: on "store &lt;warm&gt; &lt;sequential&gt; &lt;concurrent&gt; &lt;in flight&gt; &lt;sets&gt;", times Gets of key "b3",
    /// then Sets of key "b3-set", and reports "seq/s conc/s seq-async/s set-seq/s".
    /// </summary>
    private static async Task StoreClientAsync(FirnProcessContext context)
    {
        var memory = context.App.SharedMemory;
        while (!context.Stopping.IsCancellationRequested)
        {
            var command = await NextCommandAsync(context);
            var (warm, sequential, concurrent, inFlight, sets) = (Int(command[1]), Int(command[2]), Int(command[3]), Int(command[4]), Int(command[5]));
            if (memory.Get("b3", string.Empty) != Payload.Text64)
            {
                throw new InvalidOperationException("Key b3 does not hold the 64-byte value.");
            }

            for (var i = 0; i < warm; i++)
            {
                memory.Get("b3", string.Empty);
            }

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < sequential; i++)
            {
                memory.Get("b3", string.Empty);
            }

            var sequentialRate = sequential / clock.Elapsed.TotalSeconds;
            clock.Restart();
            for (var i = 0; i < sequential; i++)
            {
                await memory.GetAsync("b3", string.Empty, context.Stopping);
            }

            var sequentialAsyncRate = sequential / clock.Elapsed.TotalSeconds;
            var concurrentRate = await ConcurrentRateAsync(concurrent, inFlight, () => memory.GetAsync("b3", string.Empty, context.Stopping).AsTask());
            clock.Restart();
            for (var i = 0; i < sets; i++)
            {
                memory.Set("b3-set", Payload.Text64);
            }

            var setRate = sets / clock.Elapsed.TotalSeconds;
            await ReportAsync(context, Format.Invariantly($"{sequentialRate} {concurrentRate} {sequentialAsyncRate} {setRate}"));
        }
    }

    /// <summary>Runs <paramref name="total"/> operations with <paramref name="inFlight"/> of them outstanding at any time; returns operations per second.</summary>
    internal static async Task<double> ConcurrentRateAsync<T>(int total, int inFlight, Func<Task<T>> operation)
    {
        var perWorker = total / inFlight;
        async Task Worker()
        {
            for (var i = 0; i < perWorker; i++)
            {
                await operation();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Worker)));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Worker)));
        return perWorker * inFlight / clock.Elapsed.TotalSeconds;
    }

    /// <summary>B5: counts publications on "b5" until "END", then reports "delivered dropped" and starts counting again.</summary>
    private static async Task SubscriberAsync(FirnProcessContext context)
    {
        var report = context.App.GetChannel<string>(ReportChannel);
        long delivered = 0, droppedBefore = 0;
        Subscription? subscription = null;
        subscription = context.App.SharedMemory.Subscribe<string>("b5", message =>
        {
            if (message == "END")
            {
                var dropped = subscription!.Dropped;
                report.Send(Format.Invariantly($"{delivered} {dropped - droppedBefore}"));
                (delivered, droppedBefore) = (0, dropped);
            }
            else
            {
                delivered++;
            }
        });
        context.SignalReady();
        try
        {
            await Task.Delay(Timeout.Infinite, context.Stopping);
        }
        finally
        {
            subscription.Dispose();
        }
    }

    /// <summary>B6: answers each message on its passive channel on "b6-pong", to show its channels work.</summary>
    private static Task StartEchoAsync(FirnProcessContext context)
    {
        var pong = context.App.GetChannel<string>("b6-pong");
        context.PassiveChannel.OnReceive(message => pong.Send(message as string ?? string.Empty));
        return Task.Delay(Timeout.Infinite, context.Stopping);
    }

    /// <summary>B7: an idle child.</summary>
    private static Task IdleAsync(FirnProcessContext context) => Task.Delay(Timeout.Infinite, context.Stopping);

    /// <summary>B7: on "open &lt;n&gt;", opens n channels and reports "done".</summary>
    private static async Task ChannelOpenerAsync(FirnProcessContext context)
    {
        var command = await NextCommandAsync(context);
        var count = Int(command[1]);
        for (var i = 0; i < count; i++)
        {
            context.App.GetChannel<string>(Format.Invariantly($"many-{i}"));
        }

        await ReportAsync(context, "done");
        await Task.Delay(Timeout.Infinite, context.Stopping);
    }

    /// <summary>B7: sends 4 KiB messages on "b7-slow" as fast as the main process lets it, until stopped.</summary>
    private static async Task FastSourceAsync(FirnProcessContext context)
    {
        var channel = context.App.GetChannel<byte[]>("b7-slow");
        var message = Payload.Bytes(4096);
        while (!context.Stopping.IsCancellationRequested)
        {
            await channel.SendAsync(message, context.Stopping);
        }
    }

    private static async Task<string[]> NextCommandAsync(FirnProcessContext context)
    {
        var message = await context.ActiveChannel.ReceiveAsync(context.Stopping);
        return (message as string ?? throw new InvalidOperationException($"Unexpected command {message}.")).Split(' ');
    }

    private static ValueTask ReportAsync(FirnProcessContext context, string report) =>
        context.App.GetChannel<string>(ReportChannel).SendAsync(report, context.Stopping);

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
