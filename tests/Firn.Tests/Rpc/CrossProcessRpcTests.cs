using System.Diagnostics;
using Firn.Rpc;
using Firn.TestChild;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Rpc;

/// <summary>Calls between real processes: the test is the main process, children run Firn.TestChild's RPC scenarios.</summary>
public sealed class CrossProcessRpcTests
{
    /// <summary>
    /// How soon calls to a process that died or stopped must fail: generous for a loaded 2-core machine, yet far below
    /// the heartbeat timeout (10 s), so a failure found only by the heartbeat would not pass.
    /// </summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Main_calls_a_child_and_a_child_calls_main_with_typed_arguments_and_results()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("calc", ["rpc-serve"]), ("client", ["rpc-call", "main.add"]));
        using var registration = app.Rpc.Register("main.add", (int a, int b) => a + b);
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        Assert.Equal(5, await app.Rpc.CallAsync<int>("calc.add", 2, 3));
        Assert.Equal("calc:hi", await app.Rpc.CallAsync<string>("calc.echo", "hi"));
        Assert.Equal(new Point(6, 8), await app.Rpc.CallAsync<Point>("calc.point", new Point(3, 4), 2));
        Assert.Equal(app.Supervisor!.GetProcess("calc").ProcessId, await app.Rpc.CallAsync<int>("calc.pid"));
        Assert.Equal("result:42", await app.NextReportAsync("client"));
    }

    [Fact]
    public async Task A_channel_passed_as_an_argument_reaches_the_handler_as_a_working_channel()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var replies = app.GetChannel<string>("rpc-replies");

        await app.Rpc.CallAsync("calc.reply-on", replies, "over here");

        Assert.Equal("calc:over here", await replies.ReceiveAsync(TestApps.Timeout));
    }

    [Fact]
    public async Task A_handlers_exception_returns_as_a_remote_error_with_type_message_and_stack_text()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        var error = await Assert.ThrowsAsync<RpcRemoteException>(() => app.Rpc.CallAsync<int>("calc.throw", "broken on purpose"));

        Assert.Equal("System.InvalidOperationException", error.RemoteTypeName);
        Assert.Equal("broken on purpose", error.RemoteMessage);
        Assert.Contains("ThrowInvalid", error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal("calc", error.ProcessName);
        Assert.Equal("calc.throw", error.Method);
        Assert.Null(error.InnerException);
        Assert.Equal(5, await app.Rpc.CallAsync<int>("calc.add", 2, 3));
    }

    [Fact]
    public async Task A_result_over_the_size_limit_fails_as_an_RpcException_naming_the_limit_not_as_a_remote_error()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        // The child runs with the default options: its limit is the default one. A byte array serializes with a 5-byte header.
        const int limit = FrameFormat.DefaultMaxMessageSize;
        var error = await Assert.ThrowsAsync<RpcException>(() => app.Rpc.CallAsync<byte[]>("calc.bytes", limit));

        Assert.Equal("calc", error.ProcessName);
        Assert.Equal("calc.bytes", error.Method);
        Assert.StartsWith(
            $"The result of 'calc.bytes' serialized to {limit + 5} bytes, over the limit of {limit} bytes (FirnAppOptions.MaxMessageSize); it was not sent.",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("threw", error.Message, StringComparison.Ordinal);
        Assert.Equal(limit - 5, (await app.Rpc.CallAsync<byte[]>("calc.bytes", limit - 5)).Length);
    }

    [Fact]
    public async Task A_stream_item_over_the_size_limit_ends_the_stream_with_an_RpcException_after_the_items_before_it()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        const int limit = FrameFormat.DefaultMaxMessageSize;
        var lengths = new List<int>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var item in app.Rpc.StreamAsync<byte[]>("calc.bytes-stream", 3, limit))
            {
                lengths.Add(item.Length);
            }
        });

        Assert.Equal([3], lengths);
        Assert.Equal("calc", error.ProcessName);
        Assert.StartsWith(
            $"An item of stream 'calc.bytes-stream' serialized to {limit + 5} bytes, over the limit of {limit} bytes (FirnAppOptions.MaxMessageSize)",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal(5, await app.Rpc.CallAsync<int>("calc.add", 2, 3));
    }

    [Fact]
    public async Task An_unknown_method_fails_at_once_from_main_and_from_a_child()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("client", ["rpc-call", "nobody.add"])));

        var error = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => app.Rpc.CallAsync<int>("nobody.add", 1, 2));

        Assert.Contains("'nobody.add'", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("error:RpcMethodNotFoundException::No process has registered method 'nobody.add'", await app.NextReportAsync("client"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_registered_by_another_process_is_refused_with_the_owners_name()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("calc", ["rpc-serve"]), ("thief", ["rpc-register", "main.owned"]));
        using var owned = app.Rpc.Register("main.owned", () => 1);
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        Assert.Contains("already registered by process 'main'", await app.NextReportAsync("thief"), StringComparison.Ordinal);
        var error = Assert.Throws<RpcException>(() => app.Rpc.Register("calc.add", (int a) => a));
        Assert.Contains("already registered by process 'calc'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await app.Rpc.CallAsync<int>("main.owned"));
    }

    [Fact]
    public async Task Cancelling_a_call_midway_cancels_the_handlers_token_in_the_child()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        using var cts = new CancellationTokenSource();

        var call = app.Rpc.CallAsync("calc.slow", [], Timeout.InfiniteTimeSpan, cts.Token);
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal("slow-cancelled", await app.NextReportAsync("calc"));
        await TestApps.UntilAsync(() => app.RpcTable.Count == 0, "the table forgot the call");
    }

    /// <summary>Below a second a timer watches the call; from a second on, the pending calls' sweep does (with or without a token).</summary>
    [Theory]
    [InlineData(300, false)]
    [InlineData(1200, false)]
    [InlineData(1200, true)]
    public async Task A_call_that_times_out_throws_TimeoutException_and_cancels_the_handler(int timeoutMs, bool withToken)
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var timeout = TimeSpan.FromMilliseconds(timeoutMs);
        using var cts = new CancellationTokenSource();

        var watch = Stopwatch.StartNew();
        var call = app.Rpc.CallAsync("calc.slow", [], timeout, withToken ? cts.Token : CancellationToken.None);
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TestApps.Timeout));
        Assert.True(watch.Elapsed >= timeout - TimeSpan.FromMilliseconds(20), $"it timed out after {watch.Elapsed}, before its {timeout}");
        Assert.Contains($"'calc.slow' was not answered within {timeout}; it was cancelled.", error.Message, StringComparison.Ordinal);
        Assert.Equal("slow-cancelled", await app.NextReportAsync("calc"));
        await TestApps.UntilAsync(() => app.RpcTable.Count == 0, "the table forgot the call");
    }

    [Fact]
    public async Task A_call_to_a_killed_process_fails_promptly_naming_it_and_its_methods_are_gone()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var calls = Enumerable.Range(0, 10).Select(_ => app.Rpc.CallAsync("calc.slow", [], Timeout.InfiniteTimeSpan)).ToArray();
        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal("slow-started", await app.NextReportAsync("calc"));
        }

        var watch = Stopwatch.StartNew();
        Process.GetProcessById(app.Supervisor!.GetProcess("calc").ProcessId!.Value).Kill();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcProcessExitedException>(() => call.WaitAsync(TestApps.Timeout));
            Assert.Equal("calc", error.ProcessName);
            Assert.Contains("Process 'calc' exited", error.Message, StringComparison.Ordinal);
        }

        var elapsed = watch.Elapsed;
        Console.WriteLine($"calls to the killed child failed after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(elapsed < Promptly, $"calls to the killed child failed only after {elapsed}; they must fail within {Promptly}, well before the heartbeat timeout");
        await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => app.Rpc.CallAsync<int>("calc.add", 1, 2));
        Assert.Equal(0, app.RpcTable.Count);
    }

    [Fact]
    public async Task A_restarting_handler_fails_its_calls_then_serves_again()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var firstPid = await app.Rpc.CallAsync<int>("calc.pid");
        var call = app.Rpc.CallAsync("calc.slow", [], Timeout.InfiniteTimeSpan);
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));

        var watch = Stopwatch.StartNew();
        var restart = app.Supervisor!.RestartProcessAsync("calc");

        // A graceful stop cancels the handler (its token follows the process's); the caller learns that the process stopped.
        var error = await Assert.ThrowsAsync<RpcProcessExitedException>(() => call.WaitAsync(TestApps.Timeout));
        var elapsed = watch.Elapsed;
        Assert.True(elapsed < Promptly, $"the call to the restarting child failed only after {elapsed}; it must fail within {Promptly}");
        Assert.Equal("calc", error.ProcessName);
        Assert.Contains("Process 'calc' stopped while handling the call to 'calc.slow'", error.Message, StringComparison.Ordinal);
        await restart.WaitAsync(TestApps.Timeout);
        await TestApps.UntilAsync(() => app.RpcTable.Methods.ContainsKey("calc.pid"), "the new instance registered again");
        Assert.NotEqual(firstPid, await app.Rpc.CallAsync<int>("calc.pid"));
    }

    [Fact]
    public async Task Ten_thousand_concurrent_calls_each_get_their_own_result()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        var calls = Enumerable.Range(0, 10_000).Select(i => app.Rpc.CallAsync<int>("calc.add", i, i)).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(TestApps.Timeout);

        Assert.All(Enumerable.Range(0, 10_000), i => Assert.Equal(2 * i, results[i]));
        Assert.Equal(0, app.RpcTable.Count);
    }

    [Fact]
    public async Task Ten_thousand_concurrent_calls_from_one_child_to_another_each_get_their_own_result()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("flooder", TestApps.Child("rpc-flood", "calc.add", "10000"));
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("flood:10000:0", await app.NextReportAsync("flooder"));
    }

    [Fact]
    public async Task A_handler_sees_which_process_called_it_from_the_connection()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        Assert.Equal("main", await app.Rpc.CallAsync<string>("calc.caller"));
    }

    [Fact]
    public async Task A_handler_called_by_another_child_is_told_that_childs_name()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("alice", TestApps.Child("rpc-call-text", "calc.caller"));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        // The call went child to child through the main process, which names the caller by alice's connection.
        Assert.Equal("result:alice", await app.NextReportAsync("alice"));
    }

    [Fact]
    public async Task A_stream_delivers_every_item_in_order_and_stopping_early_cancels_the_handler()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        var items = new List<int>();
        await foreach (var item in app.Rpc.StreamAsync<int>("calc.count", 1000))
        {
            items.Add(item);
        }

        Assert.Equal(Enumerable.Range(0, 1000), items);

        await foreach (var item in app.Rpc.StreamAsync<int>("calc.count", 1_000_000))
        {
            if (item == 10)
            {
                break;
            }
        }

        var cancelled = await app.NextReportAsync("calc");
        Assert.StartsWith("count-cancelled:", cancelled, StringComparison.Ordinal);

        // The handler ran ahead of the consumer by at most the stream window, not to the end.
        Assert.True(int.Parse(cancelled["count-cancelled:".Length..], System.Globalization.CultureInfo.InvariantCulture) <= 11 + RpcEndpoint.StreamWindow + 1, cancelled);
    }

    [Fact]
    public async Task A_stream_that_fails_ends_with_the_remote_error_after_its_items()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var items = new List<int>();

        var error = await Assert.ThrowsAsync<RpcRemoteException>(async () =>
        {
            await foreach (var item in app.Rpc.StreamAsync<int>("calc.count-then-fail", 5))
            {
                items.Add(item);
            }
        });

        Assert.Equal([0, 1, 2, 3, 4], items);
        Assert.Equal("the stream failed on purpose", error.RemoteMessage);
        var mismatch = await Assert.ThrowsAsync<RpcException>(() => app.Rpc.CallAsync<int>("calc.count", 3));
        Assert.Contains("StreamAsync", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_a_caller_is_killed_its_call_is_cancelled_in_the_handlers_process()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("caller", TestApps.Child("rpc-call-and-hang", "calc.slow"));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        Assert.Equal("calling", await app.NextReportAsync("caller"));
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));

        Process.GetProcessById(app.Supervisor!.GetProcess("caller").ProcessId!.Value).Kill();

        Assert.Equal("slow-cancelled", await app.NextReportAsync("calc"));
        await TestApps.UntilAsync(() => app.RpcTable.Count == 0, "the table forgot the call");
    }

    [Fact]
    public async Task A_child_beyond_its_calls_in_flight_limit_gets_clear_refusals_and_the_rest_complete()
    {
        var log = new TestLog();
        var release = new TaskCompletionSource();
        var app = TestApps.Create(log, new FirnAppOptions { MaxCallsInFlight = 4 }, ("caller", ["rpc-limit", "main.held", "10", "6"]));
        using var held = app.Rpc.Register("main.held", async () =>
        {
            await release.Task;
            return 1;
        });
        await using var started = await TestApps.StartAsync(app);

        var refused = await app.NextReportAsync("caller");
        release.SetResult();

        Assert.StartsWith("refused:6:Process 'caller' has 4 calls with", refused, StringComparison.Ordinal);
        Assert.Contains("FirnAppOptions.MaxCallsInFlight", refused, StringComparison.Ordinal);
        Assert.Equal("done:4", await app.NextReportAsync("caller"));
    }
}
