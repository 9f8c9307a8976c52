using Firn.Rpc;
using Firn.Tests.Support;

namespace Firn.Tests.Rpc;

/// <summary>Handler shapes, argument binding and errors, checked in a started main process (its calls never cross a socket, but are serialized all the same).</summary>
public sealed class InProcessRpcTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private FirnApp _app = null!;

    private RpcEndpoint Rpc => _app.Rpc;

    public async Task InitializeAsync() => _app = await TestApps.StartAsync(TestApps.Create(_log));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_supported_handler_shape_returns_its_result()
    {
        var seen = new List<string>();
        using var a = Rpc.Register("shape.value", (int a, int b) => a * b);
        using var b = Rpc.Register("shape.void", (string s) => seen.Add(s));
        using var c = Rpc.Register("shape.task", async (string s) =>
        {
            await Task.Yield();
            seen.Add(s);
        });
        using var d = Rpc.Register("shape.task-of", async (int x) =>
        {
            await Task.Yield();
            return x + 1;
        });
        using var e = Rpc.Register("shape.value-task", (int x) => new ValueTask<string>($"v{x}"));
        using var f = Rpc.Register("shape.optional", (int x, int y = 10) => x + y);
        using var g = Rpc.Register("shape.record", (Firn.TestChild.Point p) => p with { X = p.X + 1 });

        Assert.Equal(42, await Rpc.CallAsync<int>("shape.value", 6, 7));
        await Rpc.CallAsync("shape.void", "sync");
        await Rpc.CallAsync("shape.task", "async");
        Assert.Equal(["sync", "async"], seen);
        Assert.Equal(8, await Rpc.CallAsync<int>("shape.task-of", 7));
        Assert.Equal("v3", await Rpc.CallAsync<string>("shape.value-task", 3));
        Assert.Equal(11, await Rpc.CallAsync<int>("shape.optional", 1));
        Assert.Equal(3, await Rpc.CallAsync<int>("shape.optional", 1, 2));
        Assert.Equal(new Firn.TestChild.Point(2, 2), await Rpc.CallAsync<Firn.TestChild.Point>("shape.record", new Firn.TestChild.Point(1, 2)));
    }

    [Fact]
    public async Task A_wrong_argument_count_or_type_is_a_clear_error_and_the_method_still_works()
    {
        using var registration = Rpc.Register("bind.add", (int a, int b) => a + b);

        var count = await Assert.ThrowsAsync<RpcException>(() => Rpc.CallAsync<int>("bind.add", 1, 2, 3));
        Assert.Contains("'bind.add'(System.Int32 a, System.Int32 b) takes 2 arguments; the call passed 3", count.Message, StringComparison.Ordinal);

        var type = await Assert.ThrowsAsync<RpcException>(() => Rpc.CallAsync<int>("bind.add", "one", 2));
        Assert.Contains("argument 'a'", type.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", type.Message, StringComparison.Ordinal);

        var result = await Assert.ThrowsAsync<RpcException>(() => Rpc.CallAsync<Firn.TestChild.Point>("bind.add", 1, 2));
        Assert.Contains("could not be read as Firn.TestChild.Point", result.Message, StringComparison.Ordinal);

        var token = await Assert.ThrowsAsync<ArgumentException>(() => Rpc.CallAsync<int>("bind.add", 1, CancellationToken.None));
        Assert.Contains("cancellationToken parameter", token.Message, StringComparison.Ordinal);

        Assert.Equal(3, await Rpc.CallAsync<int>("bind.add", 1, 2));
    }

    [Fact]
    public async Task Oversized_arguments_fail_before_anything_is_sent()
    {
        using var registration = Rpc.Register("big.length", (byte[] data) => data.Length);

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => Rpc.CallAsync<int>("big.length", new byte[17 * 1024 * 1024]));

        Assert.Contains("big.length", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _app.RpcTable.Count);
        Assert.Equal(10, await Rpc.CallAsync<int>("big.length", new byte[10]));
    }

    [Fact]
    public async Task An_oversized_result_of_a_handler_in_main_fails_as_an_RpcException_naming_the_limit()
    {
        const int limit = 16 * 1024 * 1024;
        using var registration = Rpc.Register("big.result", (int length) => new byte[length]);

        var error = await Assert.ThrowsAsync<RpcException>(() => Rpc.CallAsync<byte[]>("big.result", limit));

        Assert.Equal("main", error.ProcessName);
        Assert.StartsWith($"The result of 'big.result' serialized to {limit + 5} bytes, over the limit of {limit} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _app.RpcTable.Count);
    }

    [Fact]
    public void Registering_a_name_twice_or_an_unsupported_handler_is_refused()
    {
        using var registration = Rpc.Register("twice", () => 1);

        var again = Assert.Throws<ArgumentException>(() => Rpc.Register("twice", () => 2));
        Assert.Contains("already registered in process 'main'", again.Message, StringComparison.Ordinal);
        Assert.Equal("name", again.ParamName);
        Assert.Throws<ArgumentException>(() => Rpc.Register(string.Empty, () => 1));
        Assert.Throws<ArgumentException>(() => Rpc.Register("bad\nname", () => 1));
        Assert.Throws<NotSupportedException>(() => Rpc.Register("by-ref", new ByRef((ref int x) => x++)));
    }

    [Fact]
    public async Task Unregistering_makes_the_name_unknown_and_free_again()
    {
        var registration = Rpc.Register("transient", () => 1);
        Assert.Equal(1, await Rpc.CallAsync<int>("transient"));

        registration.Dispose();

        var error = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => Rpc.CallAsync<int>("transient"));
        Assert.Contains("No process has registered method 'transient'", error.Message, StringComparison.Ordinal);
        using var again = Rpc.Register("transient", () => 2);
        Assert.Equal(2, await Rpc.CallAsync<int>("transient"));
    }

    [Fact]
    public async Task Calls_beyond_the_in_flight_limit_fail_at_once_and_the_others_complete()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxCallsInFlight = 4 }));
        var release = new TaskCompletionSource();
        using var registration = app.Rpc.Register("held", async () =>
        {
            await release.Task;
            return 1;
        });
        var held = Enumerable.Range(0, 4).Select(_ => app.Rpc.CallAsync<int>("held")).ToArray();

        var refused = await Assert.ThrowsAsync<RpcException>(() => app.Rpc.CallAsync<int>("held"));

        Assert.Contains("has 4 calls", refused.Message, StringComparison.Ordinal);
        release.SetResult();
        Assert.Equal(new[] { 1, 1, 1, 1 }, await Task.WhenAll(held).WaitAsync(TestApps.Timeout));
        Assert.Equal(1, await app.Rpc.CallAsync<int>("held"));
    }

    [Fact]
    public async Task A_handler_sees_the_caller_and_a_cancelled_call_cancels_its_token()
    {
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        using var who = Rpc.Register("ctx.caller", (RpcCallContext call) => $"{call.CallerProcess}/{call.Method}");
        using var wait = Rpc.Register("ctx.wait", async (CancellationToken token) =>
        {
            using var _ = token.Register(() => cancelled.TrySetResult());
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        Assert.Equal("main/ctx.caller", await Rpc.CallAsync<string>("ctx.caller"));

        using var cts = new CancellationTokenSource();
        var call = Rpc.CallAsync("ctx.wait", [], Timeout.InfiniteTimeSpan, cts.Token);
        await started.Task.WaitAsync(TestApps.Timeout);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await cancelled.Task.WaitAsync(TestApps.Timeout);
        await TestApps.UntilAsync(() => _app.RpcTable.Count == 0, "the table forgot the call");
    }

    [Fact]
    public async Task A_cancellation_callback_that_throws_is_logged_and_the_process_goes_on()
    {
        var started = new TaskCompletionSource();
        using var registration = Rpc.Register("cancel.throws", async (CancellationToken token) =>
        {
            using var _ = token.Register(() => throw new InvalidOperationException("callback failure on purpose"));
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        using var cts = new CancellationTokenSource();

        var call = Rpc.CallAsync("cancel.throws", [], Timeout.InfiniteTimeSpan, cts.Token);
        await started.Task.WaitAsync(TestApps.Timeout);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await TestApps.UntilAsync(() => _log.Contains(Microsoft.Extensions.Logging.LogLevel.Error, "a call to 'cancel.throws'"), "the callback's failure was logged");
        using var after = Rpc.Register("cancel.after", () => 7);
        Assert.Equal(7, await Rpc.CallAsync<int>("cancel.after"));
    }

    [Fact]
    public void An_async_void_handler_is_refused()
    {
        var error = Assert.Throws<NotSupportedException>(() => Rpc.Register("async-void", (Action)(async () => await Task.Yield())));

        Assert.Contains("async void", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Argument_lists_are_read_as_written_and_traps_are_explained()
    {
        using var one = Rpc.Register("args.describe", (string? text) => text ?? "<null>");
        using var many = Rpc.Register("args.count", (string[] items) => items.Length);

        Assert.Equal("<null>", await Rpc.CallAsync<string>("args.describe", null));
        Assert.Equal(2, await Rpc.CallAsync<int>("args.count", [new[] { "a", "b" }]));
        var typed = await Assert.ThrowsAsync<ArgumentException>(() => Rpc.CallAsync<int>("args.count", new[] { "a", "b" }));
        Assert.Contains("An array of System.String was passed as the argument list", typed.Message, StringComparison.Ordinal);
        using var cts = new CancellationTokenSource();
        await Rpc.CallAsync("args.describe", ["x"], cts.Token);
    }

    [Fact]
    public async Task A_bad_timeout_is_refused_before_anything_is_sent()
    {
        var invoked = 0;
        using var registration = Rpc.Register("timeout.count", () => Interlocked.Increment(ref invoked));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Rpc.CallAsync<int>("timeout.count", [], TimeSpan.FromMilliseconds(-5)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Rpc.CallAsync<int>("timeout.count", [], TimeSpan.FromDays(30)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { CallTimeout = TimeSpan.MaxValue });

        Assert.Equal(0, invoked);
        Assert.Equal(0, _app.RpcTable.Count);
        Assert.Equal(1, await Rpc.CallAsync<int>("timeout.count", [], TimeSpan.FromDays(20)));
    }

    [Fact]
    public void A_process_may_register_up_to_the_method_limit_and_not_one_more()
    {
        var registrations = new List<RpcRegistration>();
        try
        {
            for (var i = 0; i < RpcTable.MaxMethodsPerProcess; i++)
            {
                registrations.Add(Rpc.Register($"many.{i}", () => 0));
            }

            var error = Assert.Throws<RpcException>(() => Rpc.Register("many.one-more", () => 0));
            Assert.Contains($"{RpcTable.MaxMethodsPerProcess} methods, the limit per process", error.Message, StringComparison.Ordinal);
            registrations[0].Dispose();
            registrations.Add(Rpc.Register("many.one-more", () => 0));
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    private delegate void ByRef(ref int x);
}
