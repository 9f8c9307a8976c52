using System.Runtime.CompilerServices;
using Firn.Channels;
using Firn.TestChild;
using Firn.Tests.Support;
using static Firn.Tests.Support.LargeApps;

namespace Firn.Tests.Rpc;

/// <summary>
/// Many large RPC arguments, results and stream items at once, over tight connection buffers (<see cref="LargeApps"/>):
/// each producer waits for room in the connection it writes to, so every payload arrives intact and no connection
/// closes. Sizes 64 KiB, 256 KiB, 1 MiB and exactly the largest allowed.
/// </summary>
public sealed class LargeRpcTests
{
    /// <summary>Payloads of each length per case, all in flight at once.</summary>
    private const int Count = 6;

    /// <summary>Streams read at once.</summary>
    private const int Streams = 3;

    /// <summary>
    /// A child's many large arguments wait for room in its own buffer. The main process's limit is roomy here (the
    /// arguments it holds in flight are bounded by it), so the child's own buffer is the one that would overflow.
    /// </summary>
    [Fact]
    public async Task Many_large_arguments_from_a_child_at_once_all_arrive_intact_and_its_connection_stays_open()
    {
        var log = new TestLog();
        var lengths = Lengths(LargestArgument);
        var app = LargeApps.Create(log, mainBufferLimit: 64 * 1024 * 1024);
        var received = new LargeReceiver(Count, lengths);
        app.Rpc.Register("large.take", (byte[] payload) =>
        {
            received.Take(payload);
            return BitConverter.ToInt32(payload);
        });
        app.AddProcess("caller", Child(["large-call", "args", .. Sweep(Count, lengths)]));
        await using var started = await TestApps.StartAsync(app);

        var report = app.NextReportAsync("caller");
        await TestApps.UntilAsync(() => report.IsCompleted || ConnectionClosed(log) is not null, "every call was answered or a connection closed");
        AssertAllConnected(app, log, "caller");
        Assert.Equal("ok", await report);
        Assert.Equal("ok", await received.Outcome.WaitAsync(TestApps.Timeout));
    }

    public enum Handler
    {
        /// <summary>A child calls the main process's handler: its results wait for room in the main process's buffer to the child.</summary>
        InMain,

        /// <summary>The main process calls a child's handler: its results wait for room in the child's own buffer.</summary>
        InChild,
    }

    [Theory]
    [InlineData(Handler.InMain)]
    [InlineData(Handler.InChild)]
    public async Task Many_large_results_at_once_all_arrive_intact_and_no_connection_closes(Handler handler)
    {
        var log = new TestLog();
        var lengths = Lengths(LargestValue);
        var app = LargeApps.Create(log);
        var gate = new LargePayloads.Gate();
        app.Rpc.Register("large.give", (int sequence, int length, int total) => gate.GiveAsync(sequence, length, total));
        var child = handler == Handler.InMain ? "caller" : "handler";
        app.AddProcess(child, handler == Handler.InMain ? Child(["large-call", "results", .. Sweep(Count, lengths)]) : Child(["large-serve"]));
        await using var started = await TestApps.StartAsync(app);

        Task<string> outcome;
        if (handler == Handler.InMain)
        {
            outcome = app.NextReportAsync(child);
        }
        else
        {
            Assert.Equal("ready", await app.NextReportAsync(child));
            var received = new LargeReceiver(Count, lengths);
            var calls = Enumerable.Range(0, Count * lengths.Length).Select(async sequence =>
                received.Take(await app.Rpc.CallAsync<byte[]>("child.give", sequence, LargePayloads.LengthOf(sequence, Count, lengths), Count * lengths.Length))).ToArray();
            outcome = Task.WhenAll(calls).ContinueWith(t => t.IsCompletedSuccessfully ? received.Outcome : Task.FromResult($"bad: {t.Exception}"), TaskScheduler.Default).Unwrap();
        }

        await TestApps.UntilAsync(() => outcome.IsCompleted || ConnectionClosed(log) is not null, "every result arrived or a connection closed");
        AssertAllConnected(app, log, child);
        Assert.Equal("ok", await outcome);
    }

    [Theory]
    [InlineData(Handler.InMain)]
    [InlineData(Handler.InChild)]
    public async Task A_stream_of_large_items_arrives_intact_and_no_connection_closes(Handler handler)
    {
        var log = new TestLog();
        var lengths = Lengths(LargestValue);
        var app = LargeApps.Create(log);
        app.Rpc.Register("large.stream", (int count, int[] itemLengths) => StreamAsync(count, itemLengths));
        var child = handler == Handler.InMain ? "reader" : "handler";
        app.AddProcess(child, handler == Handler.InMain ? Child(["large-stream", Text(Streams), .. Sweep(Count, lengths)]) : Child(["large-serve"]));
        await using var started = await TestApps.StartAsync(app);

        Task<string> outcome;
        if (handler == Handler.InMain)
        {
            outcome = app.NextReportAsync(child);
        }
        else
        {
            Assert.Equal("ready", await app.NextReportAsync(child));
            outcome = Task.WhenAll(Enumerable.Range(0, Streams).Select(_ => LargeReceiver.ReadStreamAsync(app, "child.stream", Count, lengths)))
                .ContinueWith(t => t.Result.FirstOrDefault(o => o != "ok") ?? "ok", TaskScheduler.Default);
        }

        await TestApps.UntilAsync(() => outcome.IsCompleted || ConnectionClosed(log) is not null, "every item arrived or a connection closed");
        AssertAllConnected(app, log, child);
        Assert.Equal("ok", await outcome);
    }

    [Fact]
    public async Task The_largest_argument_of_the_sweep_is_exactly_MaxMessageSize()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(LargeApps.Create(log));
        app.Rpc.Register("large.length", (byte[] payload) => payload.Length);

        await Assert.ThrowsAsync<MessageTooLargeException>(() => app.Rpc.CallAsync<int>("large.length", new byte[LargestArgument + 1]));
        Assert.Equal(LargestArgument, await app.Rpc.CallAsync<int>("large.length", new byte[LargestArgument]));
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
}
