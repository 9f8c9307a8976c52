using System.Globalization;
using System.Runtime.CompilerServices;

namespace Firn.TestChild.Contracts;

/// <content>RPC operations. A handler registered here records what it sees in the collector named like its method.</content>
public sealed partial class ContractOperations
{
    private delegate void ByRef(ref int x);

    private async Task<string?> RpcAsync(string op, string[] a)
    {
        var rpc = _app.Rpc;
        switch (op)
        {
            case "rpc.register":
                // args: method (also the handle), handler (see Handler).
                Keep(a[0], rpc.Register(a[0], Handler(a[0], a[1])));
                return "registered";

            case "rpc.register-async":
                Keep(a[0], await rpc.RegisterAsync(a[0], Handler(a[0], a[1])));
                return "registered";

            case "rpc.register-shapes":
                // args: prefix. Every handler shape as "{prefix}.{shape}"; the void ones record into collector "{prefix}".
                RegisterShapes(a[0]);
                return "registered";

            case "rpc.register-many":
                // args: prefix, count. Registers "{prefix}.0".. in flight at once, then one more (reported), then frees the
                // first name and takes one more again. Handle: prefix.
                return await RegisterManyAsync(a[0], ContractValues.Int(a[1]));

            case "rpc.call":
                // args: method, result kind, timeout in ms (optional), cancellation id (optional), arguments (see ContractValues.Argument).
                return await Kind(a[1]).CallAsync(rpc, a[0], Arguments(a, 4), ContractValues.Milliseconds(a[2]), Token(a[3]));

            case "rpc.call-void":
                // args: method, timeout in ms (optional), cancellation id (optional), arguments.
                var args = Arguments(a, 3);
                var timeout = ContractValues.Milliseconds(a[1]);
                await (timeout is { } limit ? rpc.CallAsync(a[0], args, limit, Token(a[2])) : rpc.CallAsync(a[0], args, Token(a[2])));
                return "returned";

            case "rpc.call-array-as-args":
                // args: method. Passes a string array where the argument list goes.
                return ContractValues.Format(await rpc.CallAsync<int>(a[0], new[] { "a", "b" }));

            case "rpc.call-token-arg":
                // args: method. Passes a CancellationToken inside the argument list.
                return ContractValues.Format(await rpc.CallAsync<int>(a[0], 1, CancellationToken.None));

            case "rpc.call-reply-on":
                // args: method, channel (of strings), text. Passes its channel to the handler and returns what came back on it.
                var replies = _app.GetChannel<string>(a[1]);
                await rpc.CallAsync(a[0], replies, a[2]);
                return await replies.ReceiveAsync(WaitLimit, CancellationToken.None);

            case "rpc.stream":
                // args: method, item kind, collector, stop after (optional), arguments. Items go to the collector as they
                // arrive (a failure after some leaves them there); returns them all.
                var items = Collector(a[2]);
                var stopAfter = Optional(a, 3) is { } after ? ContractValues.Int(after) : int.MaxValue;
                await foreach (var item in Kind(a[1]).StreamAsync(rpc, a[0], Arguments(a, 4), CancellationToken.None))
                {
                    items.Add(item);
                    if (items.Count == stopAfter)
                    {
                        break;
                    }
                }

                return string.Join('\n', items.Snapshot());

            case "rpc.flood":
                // args: method (an adder), count. Every call at once; returns "flood:{count}:{wrong results}".
                var count = ContractValues.Int(a[1]);
                var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => rpc.CallAsync<int>(a[0], i, i)));
                return $"flood:{count}:{Enumerable.Range(0, count).Count(i => results[i] != 2 * i)}";

            default:
                throw new ArgumentException($"Unknown RPC operation '{op}'.", nameof(op));
        }
    }

    private object?[] Arguments(string[] a, int from) => [.. a.Skip(from).Select(text => ContractValues.Argument(_app, text))];

    /// <summary>A handler by kind; those that report record into the collector (or wait at the gate) named <paramref name="method"/>.</summary>
    private Delegate Handler(string method, string kind)
    {
        var seen = Collector(method);
        return kind switch
        {
            "add" => (int a, int b) => a + b,
            "echo" => (string text) => $"{ProcessName}:{text}",
            "throw" => (string message) => ThrowInvalid(message),
            "caller" => (RpcCallContext call) => $"{call.CallerProcess}/{call.Method}",
            "slow" => Slow(seen),
            "cancel-throws" => CancelThrows(seen),
            "held" => Held(Gate(method)),
            "count" => (int n, CancellationToken token) => CountingStream.CountAsync(n, seen.Add, token),
            "count-then-fail" => (int n) => CountThenFailAsync(n),
            "bytes" => (int length) => new byte[length],
            "bytes-stream" => (int small, int large) => BytesAsync(small, large),
            "reply-on" => (Channel<string> channel, string text) => channel.Send($"{ProcessName}:{text}"),
            "describe" => (string? text) => text ?? "<null>",
            "count-items" => (string[] items) => items.Length,
            "length" => (byte[] data) => data.Length,
            "invocations" => Invocations(seen),
            "by-ref" => new ByRef((ref int x) => x++),
            "async-void" => (Action)(async () => await Task.Yield()),
            _ when kind.StartsWith("const:", StringComparison.Ordinal) => Constant(ContractValues.Int(kind[6..])),
            _ => throw new ArgumentException($"Unknown handler '{kind}'.", nameof(kind)),
        };
    }

    private static Func<int> Constant(int value) => () => value;

    /// <summary>Waits until cancelled; records "started", then "cancelled".</summary>
    private static Func<CancellationToken, Task> Slow(ContractCollector seen) => async token =>
    {
        seen.Add("started");
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException)
        {
            seen.Add("cancelled");
            throw;
        }
    };

    /// <summary>Waits until cancelled, with a cancellation callback that throws; records "started".</summary>
    private static Func<CancellationToken, Task> CancelThrows(ContractCollector seen) => async token =>
    {
        using var callback = token.Register(() => throw new InvalidOperationException("callback failure on purpose"));
        seen.Add("started");
        await Task.Delay(Timeout.Infinite, token);
    };

    /// <summary>Waits at the gate, then returns 1.</summary>
    private static Func<Task<int>> Held(ContractGate gate) => async () =>
    {
        await gate.PassAsync(CancellationToken.None);
        return 1;
    };

    /// <summary>Records "invoked" and returns how many times it ran.</summary>
    private static Func<int> Invocations(ContractCollector seen) => () =>
    {
        seen.Add("invoked");
        return seen.Count;
    };

    private void RegisterShapes(string prefix)
    {
        var seen = Collector(prefix);
        var rpc = _app.Rpc;
        Keep(prefix + ".value", rpc.Register(prefix + ".value", (int a, int b) => a * b));
        Keep(prefix + ".void", rpc.Register(prefix + ".void", (string s) => seen.Add(s)));
        Keep(prefix + ".task", rpc.Register(prefix + ".task", async (string s) =>
        {
            await Task.Yield();
            seen.Add(s);
        }));
        Keep(prefix + ".task-of", rpc.Register(prefix + ".task-of", async (int x) =>
        {
            await Task.Yield();
            return x + 1;
        }));
        Keep(prefix + ".value-task", rpc.Register(prefix + ".value-task", (int x) => new ValueTask<string>($"v{x}")));
        Keep(prefix + ".optional", rpc.Register(prefix + ".optional", (int x, int y = 10) => x + y));
        Keep(prefix + ".record", rpc.Register(prefix + ".record", (Point p) => p with { X = p.X + 1 }));
    }

    private async Task<string> RegisterManyAsync(string prefix, int count)
    {
        var rpc = _app.Rpc;
        var registrations = (await Task.WhenAll(Enumerable.Range(0, count).Select(i => rpc.RegisterAsync($"{prefix}.{i}", Constant(i))))).ToList();
        Keep(prefix, new Registrations(registrations));
        string refusal;
        try
        {
            registrations.Add(rpc.Register(prefix + ".one-more", Constant(-1)));
            refusal = "none";
        }
        catch (RpcException ex)
        {
            refusal = ex.Message;
        }

        registrations[0].Dispose();
        registrations.Add(rpc.Register(prefix + ".one-more", Constant(-1)));
        return refusal;
    }

    private static int ThrowInvalid(string message) => throw new InvalidOperationException(message);

    private static async IAsyncEnumerable<int> CountThenFailAsync(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }

        throw new InvalidOperationException("the stream failed on purpose");
    }

    /// <summary>Yields an array of <paramref name="small"/> bytes, then one of <paramref name="large"/> bytes.</summary>
    private static async IAsyncEnumerable<byte[]> BytesAsync(int small, int large)
    {
        await Task.Yield();
        yield return new byte[small];
        yield return new byte[large];
    }

    private sealed class Registrations(List<RpcRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }
}
