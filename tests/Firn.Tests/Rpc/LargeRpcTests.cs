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

        await AssertOkWithEveryConnectionOpenAsync(app, log, "caller", app.NextReportAsync("caller"), "every call was answered");
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

        var outcome = await OutcomeAsync(app, handler, child, () =>
        {
            var received = new LargeReceiver(Count, lengths);
            var calls = Enumerable.Range(0, Count * lengths.Length).Select(async sequence =>
                received.Take(await app.Rpc.CallAsync<byte[]>("child.give", sequence, LargePayloads.LengthOf(sequence, Count, lengths), Count * lengths.Length))).ToArray();
            return Task.WhenAll(calls).ContinueWith(t => t.IsCompletedSuccessfully ? received.Outcome : Task.FromResult($"bad: {t.Exception}"), TaskScheduler.Default).Unwrap();
        });
        await AssertOkWithEveryConnectionOpenAsync(app, log, child, outcome, "every result arrived");
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

        var outcome = await OutcomeAsync(app, handler, child, () =>
            Task.WhenAll(Enumerable.Range(0, Streams).Select(_ => LargeReceiver.ReadStreamAsync(app, "child.stream", Count, lengths)))
                .ContinueWith(t => t.Result.FirstOrDefault(o => o != "ok") ?? "ok", TaskScheduler.Default));
        await AssertOkWithEveryConnectionOpenAsync(app, log, child, outcome, "every item arrived");
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

    /// <summary>
    /// What says whether every large payload arrived: the child's report when the main process handles the calls, or,
    /// once the child is ready, the main process's own calls to it (<paramref name="callFromMain"/>).
    /// </summary>
    private static async Task<Task<string>> OutcomeAsync(FirnApp app, Handler handler, string child, Func<Task<string>> callFromMain)
    {
        if (handler == Handler.InMain)
        {
            return app.NextReportAsync(child);
        }

        Assert.Equal("ready", await app.NextReportAsync(child));
        return callFromMain();
    }

    /// <summary>Waits for <paramref name="outcome"/> or a closed connection, then asserts that none closed and the outcome is "ok".</summary>
    private static async Task AssertOkWithEveryConnectionOpenAsync(FirnApp app, TestLog log, string child, Task<string> outcome, string what)
    {
        await TestApps.UntilAsync(() => outcome.IsCompleted || ConnectionClosed(log) is not null, what + " or a connection closed");
        AssertAllConnected(app, log, child);
        Assert.Equal("ok", await outcome);
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
