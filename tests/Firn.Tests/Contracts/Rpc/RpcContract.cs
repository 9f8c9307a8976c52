using System.Diagnostics;
using Firn.Rpc;
using Firn.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Firn.Tests.Contracts.Rpc;

/// <summary>
/// What RPC promises the process that uses it, whatever its role, as a handler's process and as a caller (most cases
/// run both ways, with the main process on the other end): handler shapes and binding, size limits, names and their
/// owners, the in-flight and method limits, remote errors, unknown methods, the caller's identity, cancellation,
/// timeouts, streams and many concurrent calls.
/// </summary>
public abstract class RpcContract : ContractTests
{
    private const int Limit = Firn.Transport.FrameFormat.DefaultMaxMessageSize;

    private protected RpcContract(ContractFixture fixture)
        : base(fixture)
    {
    }

    private static string NoTimeout => string.Empty;

    private static string NoToken => string.Empty;

    [ContractFact]
    public async Task Every_supported_handler_shape_returns_its_result()
    {
        var shape = Name("shape");
        await Subject.RunAsync("rpc.register-shapes", shape);

        Assert.Equal("42", await Peer.RunAsync("rpc.call", shape + ".value", "int", NoTimeout, NoToken, "i:6", "i:7"));
        await Peer.RunAsync("rpc.call-void", shape + ".void", NoTimeout, NoToken, "s:sync");
        await Peer.RunAsync("rpc.call-void", shape + ".task", NoTimeout, NoToken, "s:async");
        Assert.Equal(["sync", "async"], await Subject.LinesAsync("collector.items", shape));
        Assert.Equal("8", await Peer.RunAsync("rpc.call", shape + ".task-of", "int", NoTimeout, NoToken, "i:7"));
        Assert.Equal("v3", await Peer.RunAsync("rpc.call", shape + ".value-task", "string", NoTimeout, NoToken, "i:3"));
        Assert.Equal("11", await Peer.RunAsync("rpc.call", shape + ".optional", "int", NoTimeout, NoToken, "i:1"));
        Assert.Equal("3", await Peer.RunAsync("rpc.call", shape + ".optional", "int", NoTimeout, NoToken, "i:1", "i:2"));
        Assert.Equal("2,2", await Peer.RunAsync("rpc.call", shape + ".record", "point", NoTimeout, NoToken, "p:1,2"));
    }

    [ContractFact]
    public async Task A_wrong_argument_count_or_type_is_a_clear_error_and_the_method_still_works()
    {
        await CheckAsync(Peer, Subject, Name("add-in-subject"));
        await CheckAsync(Subject, Peer, Name("add-in-main"));

        static async Task CheckAsync(ContractSide caller, ContractSide handler, string method)
        {
            await handler.RunAsync("rpc.register", method, "add");

            var count = await Assert.ThrowsAsync<RpcException>(() => caller.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "i:1", "i:2", "i:3"));
            Assert.Contains($"'{method}'(System.Int32 a, System.Int32 b) takes 2 arguments; the call passed 3", count.Message, StringComparison.Ordinal);

            var type = await Assert.ThrowsAsync<RpcException>(() => caller.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "s:one", "i:2"));
            Assert.Contains("argument 'a'", type.Message, StringComparison.Ordinal);
            Assert.Contains("System.Int32", type.Message, StringComparison.Ordinal);

            var result = await Assert.ThrowsAsync<RpcException>(() => caller.RunAsync("rpc.call", method, "point", NoTimeout, NoToken, "i:1", "i:2"));
            Assert.Contains("could not be read as Firn.TestChild.Point", result.Message, StringComparison.Ordinal);

            var token = await Assert.ThrowsAsync<ArgumentException>(() => caller.RunAsync("rpc.call-token-arg", method));
            Assert.Contains("cancellationToken parameter", token.Message, StringComparison.Ordinal);

            Assert.Equal("3", await caller.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "i:1", "i:2"));
        }
    }

    [ContractFact]
    public async Task Oversized_arguments_fail_before_anything_is_sent()
    {
        var method = Name("length");
        await Peer.RunAsync("rpc.register", method, "length");

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, $"b:{17 * 1024 * 1024}"));

        Assert.Contains(method, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Main.RpcTable.Count);
        Assert.Equal("10", await Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "b:10"));
    }

    [ContractFact]
    public async Task A_result_over_the_size_limit_fails_as_an_RpcException_naming_the_limit_not_as_a_remote_error()
    {
        var method = Name("bytes");
        await Subject.RunAsync("rpc.register", method, "bytes");

        // A byte array serializes with a 5-byte header.
        var error = await Assert.ThrowsAsync<RpcException>(() => Peer.RunAsync("rpc.call", method, "bytes", NoTimeout, NoToken, $"i:{Limit}"));

        Assert.Equal(Subject.ProcessName, error.ProcessName);
        Assert.Equal(method, error.Method);
        Assert.StartsWith(
            $"The result of '{method}' serialized to {Limit + 5} bytes, over the limit of {Limit} bytes (FirnAppOptions.MaxMessageSize); it was not sent.",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("threw", error.Message, StringComparison.Ordinal);
        Assert.Equal($"bytes[{Limit - 5}]", await Peer.RunAsync("rpc.call", method, "bytes", NoTimeout, NoToken, $"i:{Limit - 5}"));
        await TestApps.UntilAsync(() => Main.RpcTable.Count == 0, "the table forgot the calls");
    }

    [ContractFact]
    public async Task A_stream_item_over_the_size_limit_ends_the_stream_with_an_RpcException_after_the_items_before_it()
    {
        var method = Name("bytes-stream");
        await Subject.RunAsync("rpc.register", method, "bytes-stream");

        var error = await Assert.ThrowsAsync<RpcException>(() => Peer.RunAsync("rpc.stream", method, "bytes", Name("items"), null, "i:3", $"i:{Limit}"));

        Assert.Equal(["bytes[3]"], await Peer.LinesAsync("collector.items", Name("items")));
        Assert.Equal(Subject.ProcessName, error.ProcessName);
        Assert.StartsWith(
            $"An item of stream '{method}' serialized to {Limit + 5} bytes, over the limit of {Limit} bytes (FirnAppOptions.MaxMessageSize)",
            error.Message,
            StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Registering_a_name_twice_in_one_process_or_an_unsupported_handler_is_refused()
    {
        var method = Name("twice");
        await Subject.RunAsync("rpc.register", method, "const:1");

        var again = await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("rpc.register", method, "const:2"));
        Assert.Contains($"already registered in process '{Subject.ProcessName}'", again.Message, StringComparison.Ordinal);
        Assert.Equal("name", again.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("rpc.register", string.Empty, "const:1"));
        await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("rpc.register", "bad\nname", "const:1"));
        await Assert.ThrowsAsync<NotSupportedException>(() => Subject.RunAsync("rpc.register", Name("by-ref"), "by-ref"));
        var asyncVoid = await Assert.ThrowsAsync<NotSupportedException>(() => Subject.RunAsync("rpc.register", Name("async-void"), "async-void"));
        Assert.Contains("async void", asyncVoid.Message, StringComparison.Ordinal);
        Assert.Equal("1", await Peer.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task A_name_the_other_process_holds_is_refused_naming_its_owner()
    {
        var inMain = Name("owned-by-main");
        var inSubject = Name("owned-by-subject");
        await Peer.RunAsync("rpc.register", inMain, "const:1");
        await Subject.RunAsync("rpc.register", inSubject, "const:2");

        if (Target.SubjectIsMain)
        {
            // Alone, the main process is the other process too: a name it holds is refused as in one process.
            var error = await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("rpc.register", inMain, "const:3"));
            Assert.Contains($"already registered in process '{Main.ProcessName}'", error.Message, StringComparison.Ordinal);
        }
        else
        {
            var stolen = await Assert.ThrowsAsync<RpcException>(() => Subject.RunAsync("rpc.register", inMain, "const:3"));
            Assert.Contains($"already registered by process '{Main.ProcessName}'", stolen.Message, StringComparison.Ordinal);
            var taken = await Assert.ThrowsAsync<RpcException>(() => Peer.RunAsync("rpc.register", inSubject, "const:4"));
            Assert.Contains($"already registered by process '{Subject.ProcessName}'", taken.Message, StringComparison.Ordinal);
        }

        Assert.Equal("1", await Subject.RunAsync("rpc.call", inMain, "int", NoTimeout, NoToken));
        Assert.Equal("2", await Peer.RunAsync("rpc.call", inSubject, "int", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task Unregistering_makes_the_name_unknown_and_free_again()
    {
        var method = Name("transient");
        await Subject.RunAsync("rpc.register", method, "const:1");
        Assert.Equal("1", await Peer.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));

        Assert.Equal("true", await Subject.RunAsync("op.dispose", method));

        await TestApps.UntilAsync(() => !Main.RpcTable.Methods.ContainsKey(method), "the main process forgot the name");
        var error = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => Peer.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));
        Assert.Contains($"No process has registered method '{method}'", error.Message, StringComparison.Ordinal);
        await Subject.RunAsync("rpc.register", method, "const:2");
        Assert.Equal("2", await Peer.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task Calls_beyond_the_in_flight_limit_fail_at_once_and_the_others_complete()
    {
        await using var target = await StartTargetAsync(new ContractSettings(MaxCallsInFlight: 4));
        var method = Name("held");
        await target.Peer.RunAsync("rpc.register", method, "held");
        var held = Enumerable.Range(0, 4).Select(_ => target.Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken)).ToArray();
        await target.Peer.RunAsync("gate.entered", method, 4);

        var refused = await Assert.ThrowsAsync<RpcException>(() => target.Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));

        Assert.Contains($"Process '{target.Subject.ProcessName}' has 4 calls", refused.Message, StringComparison.Ordinal);
        Assert.Contains("FirnAppOptions.MaxCallsInFlight", refused.Message, StringComparison.Ordinal);
        await target.Peer.RunAsync("gate.open", method);
        Assert.Equal(new string?[] { "1", "1", "1", "1" }, await Task.WhenAll(held));
        Assert.Equal("1", await target.Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task A_process_may_register_up_to_the_method_limit_and_not_one_more()
    {
        var prefix = Name("many");
        var held = Main.RpcTable.Methods.Values.Count(owner => owner == Subject.ProcessName);
        try
        {
            var refusal = await Subject.TextAsync("rpc.register-many", prefix, RpcTable.MaxMethodsPerProcess - held);

            Assert.Contains($"{RpcTable.MaxMethodsPerProcess} methods, the limit per process", refusal, StringComparison.Ordinal);
            Assert.True(Main.RpcTable.Methods.ContainsKey(prefix + ".one-more"), "the freed slot was taken again");
            Assert.Equal(RpcTable.MaxMethodsPerProcess, Main.RpcTable.Methods.Values.Count(owner => owner == Subject.ProcessName));
        }
        finally
        {
            await Subject.RunAsync("op.dispose", prefix);
            await TestApps.UntilAsync(() => !Main.RpcTable.Methods.Keys.Any(name => name.StartsWith(prefix, StringComparison.Ordinal)), "the names were given back");
        }
    }

    [ContractFact]
    public async Task A_handlers_exception_returns_as_a_remote_error_with_type_message_and_stack_text()
    {
        await CheckAsync(Peer, Subject, Name("throw-in-subject"));
        await CheckAsync(Subject, Peer, Name("throw-in-main"));

        static async Task CheckAsync(ContractSide caller, ContractSide handler, string method)
        {
            await handler.RunAsync("rpc.register", method, "throw");
            await handler.RunAsync("rpc.register", method + ".add", "add");

            var error = await Assert.ThrowsAsync<RpcRemoteException>(() => caller.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "s:broken on purpose"));

            Assert.Equal("System.InvalidOperationException", error.RemoteTypeName);
            Assert.Equal("broken on purpose", error.RemoteMessage);
            Assert.Contains("ThrowInvalid", error.RemoteStackTrace, StringComparison.Ordinal);
            Assert.Equal(handler.ProcessName, error.ProcessName);
            Assert.Equal(method, error.Method);
            Assert.Null(error.InnerException);
            Assert.Equal("5", await caller.RunAsync("rpc.call", method + ".add", "int", NoTimeout, NoToken, "i:2", "i:3"));
        }
    }

    [ContractFact]
    public async Task An_unknown_method_fails_at_once_from_either_process()
    {
        var method = Name("nobody.add");

        var fromMain = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => Peer.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "i:1", "i:2"));
        var fromSubject = await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => Subject.RunAsync("rpc.call", method, "int", NoTimeout, NoToken, "i:1", "i:2"));

        Assert.Contains($"No process has registered method '{method}'", fromMain.Message, StringComparison.Ordinal);
        Assert.Contains($"No process has registered method '{method}'", fromSubject.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task A_handler_sees_which_process_called_it()
    {
        var inSubject = Name("caller-in-subject");
        var inMain = Name("caller-in-main");
        await Subject.RunAsync("rpc.register", inSubject, "caller");
        await Subject.RunAsync("rpc.register", inSubject + ".echo", "echo");
        await Peer.RunAsync("rpc.register", inMain, "caller");

        // The handler ran in the subject, and knows which process called it from the connection, not from the call.
        Assert.Equal($"{Subject.ProcessName}:hi", await Peer.RunAsync("rpc.call", inSubject + ".echo", "string", NoTimeout, NoToken, "s:hi"));

        Assert.Equal($"{Main.ProcessName}/{inSubject}", await Peer.RunAsync("rpc.call", inSubject, "string", NoTimeout, NoToken));
        Assert.Equal($"{Subject.ProcessName}/{inMain}", await Subject.RunAsync("rpc.call", inMain, "string", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task Cancelling_a_call_cancels_the_handlers_token_in_the_handlers_process()
    {
        await CheckAsync(Peer, Subject, Name("slow-in-subject"));
        await CheckAsync(Subject, Peer, Name("slow-in-main"));

        async Task CheckAsync(ContractSide caller, ContractSide handler, string method)
        {
            await handler.RunAsync("rpc.register", method, "slow");
            var call = caller.RunAsync("rpc.call-void", method, Timeout.InfiniteTimeSpan, method);
            await handler.RunAsync("collector.wait", method, 1);

            await caller.RunAsync("op.cancel", method);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.Equal(["started", "cancelled"], await handler.LinesAsync("collector.wait", method, 2));
            await TestApps.UntilAsync(() => Main.RpcTable.Count == 0, "the table forgot the call");
        }
    }

    /// <summary>Below a second a timer watches the call; from a second on, the pending calls' sweep does (with or without a token).</summary>
    [ContractTheory]
    [InlineData(300, false)]
    [InlineData(1200, false)]
    [InlineData(1200, true)]
    public async Task A_call_that_times_out_throws_TimeoutException_and_cancels_the_handler(int timeoutMs, bool withToken)
    {
        var method = Name("slow");
        await Subject.RunAsync("rpc.register", method, "slow");
        var timeout = TimeSpan.FromMilliseconds(timeoutMs);

        var watch = Stopwatch.StartNew();
        var call = Peer.RunAsync("rpc.call-void", method, timeout, withToken ? Name("token") : NoToken);
        await Subject.RunAsync("collector.wait", method, 1);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.True(watch.Elapsed >= timeout - TimeSpan.FromMilliseconds(20), $"it timed out after {watch.Elapsed}, before its {timeout}");
        Assert.Contains($"'{method}' was not answered within {timeout}; it was cancelled.", error.Message, StringComparison.Ordinal);
        Assert.Equal(["started", "cancelled"], await Subject.LinesAsync("collector.wait", method, 2));
        await TestApps.UntilAsync(() => Main.RpcTable.Count == 0, "the table forgot the call");
    }

    [ContractFact]
    public async Task A_call_from_the_subject_that_times_out_throws_TimeoutException_and_cancels_the_handler()
    {
        var method = Name("slow-in-main");
        await Peer.RunAsync("rpc.register", method, "slow");
        var timeout = TimeSpan.FromMilliseconds(300);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Subject.RunAsync("rpc.call-void", method, timeout, NoToken));

        Assert.Contains($"'{method}' was not answered within {timeout}; it was cancelled.", error.Message, StringComparison.Ordinal);
        Assert.Equal(["started", "cancelled"], await Peer.LinesAsync("collector.wait", method, 2));
        await TestApps.UntilAsync(() => Main.RpcTable.Count == 0, "the table forgot the call");
    }

    [ContractFact]
    public async Task A_cancellation_callback_that_throws_is_logged_and_the_process_goes_on()
    {
        var method = Name("cancel-throws");
        await Subject.RunAsync("rpc.register", method, "cancel-throws");
        var call = Peer.RunAsync("rpc.call-void", method, Timeout.InfiniteTimeSpan, method);
        await Subject.RunAsync("collector.wait", method, 1);

        await Peer.RunAsync("op.cancel", method);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await TestApps.UntilAsync(() => Target.Log.Contains(LogLevel.Error, $"a call to '{method}'"), "the callback's failure was logged");
        await Subject.RunAsync("rpc.register", Name("after"), "const:7");
        Assert.Equal("7", await Peer.RunAsync("rpc.call", Name("after"), "int", NoTimeout, NoToken));
    }

    [ContractFact]
    public async Task Argument_lists_are_read_as_written_and_traps_are_explained()
    {
        var describe = Name("describe");
        var count = Name("count-items");
        await Peer.RunAsync("rpc.register", describe, "describe");
        await Peer.RunAsync("rpc.register", count, "count-items");

        Assert.Equal("<null>", await Subject.RunAsync("rpc.call", describe, "string", NoTimeout, NoToken, "null"));
        Assert.Equal("2", await Subject.RunAsync("rpc.call", count, "int", NoTimeout, NoToken, "sa:a,b"));
        var typed = await Assert.ThrowsAsync<ArgumentException>(() => Subject.RunAsync("rpc.call-array-as-args", count));
        Assert.Contains("An array of System.String was passed as the argument list", typed.Message, StringComparison.Ordinal);
        Assert.Equal("x", await Subject.RunAsync("rpc.call", describe, "string", NoTimeout, Name("unused"), "s:x"));
    }

    [ContractFact]
    public async Task A_bad_timeout_is_refused_before_anything_is_sent()
    {
        var method = Name("invocations");
        await Peer.RunAsync("rpc.register", method, "invocations");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Subject.RunAsync("rpc.call", method, "int", TimeSpan.FromMilliseconds(-5), NoToken));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Subject.RunAsync("rpc.call", method, "int", TimeSpan.FromDays(30), NoToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirnAppOptions { CallTimeout = TimeSpan.MaxValue });

        Assert.Empty(await Peer.LinesAsync("collector.items", method));
        Assert.Equal(0, Main.RpcTable.Count);
        Assert.Equal("1", await Subject.RunAsync("rpc.call", method, "int", TimeSpan.FromDays(20), NoToken));
    }

    [ContractFact]
    public async Task A_stream_delivers_every_item_in_order_and_stopping_early_cancels_the_handler()
    {
        await CheckAsync(Peer, Subject, Name("count-in-subject"));
        await CheckAsync(Subject, Peer, Name("count-in-main"));

        async Task CheckAsync(ContractSide caller, ContractSide handler, string method)
        {
            await handler.RunAsync("rpc.register", method, "count");

            var items = await caller.LinesAsync("rpc.stream", method, "int", method + ".all", null, "i:1000");
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{i}"), items);

            Assert.Equal(11, (await caller.LinesAsync("rpc.stream", method, "int", method + ".early", 11, "i:1000000")).Length);
            var cancelled = (await handler.LinesAsync("collector.wait", method, 1))[0];
            Assert.StartsWith("count-cancelled:", cancelled, StringComparison.Ordinal);

            // The handler ran ahead of the consumer by at most the stream window, not to the end.
            Assert.True(int.Parse(cancelled["count-cancelled:".Length..], System.Globalization.CultureInfo.InvariantCulture) <= 11 + RpcEndpoint.StreamWindow + 1, cancelled);
        }
    }

    [ContractFact]
    public async Task A_stream_that_fails_ends_with_the_remote_error_after_its_items()
    {
        var failing = Name("count-then-fail");
        var stream = Name("count");
        await Subject.RunAsync("rpc.register", failing, "count-then-fail");
        await Subject.RunAsync("rpc.register", stream, "count");

        var error = await Assert.ThrowsAsync<RpcRemoteException>(() => Peer.RunAsync("rpc.stream", failing, "int", Name("items"), null, "i:5"));

        Assert.Equal(["0", "1", "2", "3", "4"], await Peer.LinesAsync("collector.items", Name("items")));
        Assert.Equal("the stream failed on purpose", error.RemoteMessage);
        var mismatch = await Assert.ThrowsAsync<RpcException>(() => Peer.RunAsync("rpc.call", stream, "int", NoTimeout, NoToken, "i:3"));
        Assert.Contains("StreamAsync", mismatch.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Ten_thousand_concurrent_calls_each_get_their_own_result_both_ways()
    {
        var inSubject = Name("add-in-subject");
        var inMain = Name("add-in-main");
        await Subject.RunAsync("rpc.register", inSubject, "add");
        await Peer.RunAsync("rpc.register", inMain, "add");

        Assert.Equal("flood:10000:0", await Peer.RunAsync("rpc.flood", inSubject, 10_000));
        Assert.Equal("flood:10000:0", await Subject.RunAsync("rpc.flood", inMain, 10_000));
        await TestApps.UntilAsync(() => Main.RpcTable.Count == 0, "the table forgot the calls");
    }
}

/// <summary>The RPC contract in the main process alone.</summary>
public sealed class RpcContract_MainAlone(MainAloneFixture fixture) : RpcContract(fixture), IClassFixture<MainAloneFixture>;

/// <summary>The RPC contract in a child hosted in the test process.</summary>
public sealed class RpcContract_InProcessChild(InProcessChildFixture fixture) : RpcContract(fixture), IClassFixture<InProcessChildFixture>;

/// <summary>The RPC contract in a real child process.</summary>
public sealed class RpcContract_RealChild(RealChildFixture fixture) : RpcContract(fixture), IClassFixture<RealChildFixture>;

/// <summary>The RPC contract on Redis, in the main process alone (its registrations are claimed on Redis; its calls stay local).</summary>
public sealed class RpcContract_RedisMainAlone(RedisMainAloneFixture fixture) : RpcContract(fixture), IClassFixture<RedisMainAloneFixture>, IRedisContract;

/// <summary>The RPC contract on Redis, in a child hosted in the test process.</summary>
public sealed class RpcContract_RedisInProcessChild(RedisInProcessChildFixture fixture) : RpcContract(fixture), IClassFixture<RedisInProcessChildFixture>, IRedisContract;

/// <summary>The RPC contract on Redis, in a real child process.</summary>
public sealed class RpcContract_RedisRealChild(RedisRealChildFixture fixture) : RpcContract(fixture), IClassFixture<RedisRealChildFixture>, IRedisContract;
