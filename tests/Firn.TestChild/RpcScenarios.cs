using System.Globalization;
using System.Runtime.CompilerServices;

namespace Firn.TestChild;

/// <summary>RPC, typed-service and event scenarios. Results go back on channel "report-{name}".</summary>
internal static class RpcScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var rpc = app.Rpc;
        var name = context.ProcessName;
        var report = app.GetChannel<string>("report-" + name);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "rpc-serve":
                // Registers handlers named "{name}.*", then waits. Handlers report what they saw on the report channel.
                rpc.Register($"{name}.add", (int a, int b) => a + b);
                rpc.Register($"{name}.echo", (string text) => $"{name}:{text}");
                rpc.Register($"{name}.throw", (string message) => ThrowInvalid(message));
                rpc.Register($"{name}.caller", (RpcCallContext call) => call.CallerProcess);
                rpc.Register($"{name}.pid", () => Environment.ProcessId);
                rpc.Register($"{name}.reply-on", (Channel<string> channel, string text) => channel.Send($"{name}:{text}"));
                rpc.Register($"{name}.point", (Point p, int scale) => new Point(p.X * scale, p.Y * scale));
                rpc.Register($"{name}.slow", async (CancellationToken token) =>
                {
                    await report.SendAsync("slow-started", CancellationToken.None);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }
                    catch (OperationCanceledException)
                    {
                        await report.SendAsync("slow-cancelled", CancellationToken.None);
                        throw;
                    }
                });
                rpc.Register($"{name}.count", (int n, CancellationToken token) => CountingStream.CountAsync(n, line => report.Send(line, CancellationToken.None), token));
                rpc.Register($"{name}.count-then-fail", (int n) => CountThenFailAsync(n));
                rpc.Register($"{name}.bytes", (int length) => new byte[length]);
                rpc.Register($"{name}.bytes-stream", (int small, int large) => BytesAsync(small, large));
                rpc.AddService<ICalculator>(new Calculator(name, report));
                context.SignalReady();
                await report.SendAsync("ready", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "rpc-call-text":
                // Calls the handler args[1] with no arguments and reports "result:{text}" or the error's type and message.
                try
                {
                    await report.SendAsync("result:" + await rpc.CallAsync<string>(args[1]), stopping);
                }
                catch (RpcException ex)
                {
                    await report.SendAsync($"error:{ex.GetType().Name}:{ex.Message}", stopping);
                }

                await Scenarios.WaitForStop(stopping);
                break;

            case "rpc-flood":
                // args: method, count. Makes every call at once and checks each result against its own arguments.
                var count = int.Parse(args[2], CultureInfo.InvariantCulture);
                var calls = Enumerable.Range(0, count).Select(i => rpc.CallAsync<int>(args[1], i, 1_000_000)).ToArray();
                var results = await Task.WhenAll(calls);
                var wrong = Enumerable.Range(0, count).Count(i => results[i] != i + 1_000_000);
                await report.SendAsync($"flood:{count}:{wrong}", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "rpc-call-and-hang":
                // Calls args[1] (a handler that never returns) and waits: the test kills this process meanwhile.
                _ = rpc.CallAsync(args[1], [], Timeout.InfiniteTimeSpan);
                await report.SendAsync("calling", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "rpc-service-client":
                // Calls the ICalculator service (in another process) through a proxy and reports the results.
                var calculator = rpc.GetService<ICalculator>();
                var total = await calculator.AddAsync(2, 3);
                var squares = new List<int>();
                await foreach (var square in calculator.SquaresAsync(4))
                {
                    squares.Add(square);
                }

                await report.SendAsync($"service:{total}:{string.Join(',', squares)}", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "event-publish":
                // Publishes args[2] events named args[1] carrying Point(i, i).
                for (var i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++)
                {
                    app.Events.Publish(args[1], new Point(i, i));
                }

                await report.SendAsync("published", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "event-subscribe":
                // Subscribes to the name or pattern args[1] and reports each event as "name:x,y".
                using (app.Events.Subscribe(args[1], e => report.Send($"{e.Name}:{e.GetData<Point>().X},{e.GetData<Point>().Y}")))
                {
                    await report.SendAsync("subscribed", stopping);
                    await Scenarios.WaitForStop(stopping);
                }

                break;

            default:
                return false;
        }

        return true;
    }

    private static int ThrowInvalid(string message) => throw new InvalidOperationException(message);

    /// <summary>Yields an array of <paramref name="small"/> bytes, then one of <paramref name="large"/> bytes.</summary>
    private static async IAsyncEnumerable<byte[]> BytesAsync(int small, int large)
    {
        await Task.Yield();
        yield return new byte[small];
        yield return new byte[large];
    }

    private static async IAsyncEnumerable<int> CountThenFailAsync(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }

        throw new InvalidOperationException("the stream failed on purpose");
    }
}

/// <summary>A typed service for the tests.</summary>
public interface ICalculator
{
    /// <summary>Adds.</summary>
    /// <param name="a">One.</param>
    /// <param name="b">Two.</param>
    /// <returns>The sum.</returns>
    Task<int> AddAsync(int a, int b);

    /// <summary>Divides; throws on zero.</summary>
    /// <param name="a">One.</param>
    /// <param name="b">Two.</param>
    /// <returns>The quotient.</returns>
    ValueTask<int> DivideAsync(int a, int b);

    /// <summary>Remembers a value (no result).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Completes when stored.</returns>
    Task RememberAsync(string value);

    /// <summary>Returns what was remembered.</summary>
    /// <returns>The values.</returns>
    Task<List<string>> RecallAsync();

    /// <summary>Waits until cancelled, then reports it.</summary>
    /// <param name="cancellationToken">The call's token.</param>
    /// <returns>Never completes normally.</returns>
    Task WaitAsync(CancellationToken cancellationToken);

    /// <summary>The squares of 1..n.</summary>
    /// <param name="n">How many.</param>
    /// <returns>A stream.</returns>
    IAsyncEnumerable<int> SquaresAsync(int n);

    /// <summary>Scales a point.</summary>
    /// <param name="point">The point.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The scaled point.</returns>
    Task<Point> ScaleAsync(Point point, int factor);
}

/// <summary>The service implementation a child exposes.</summary>
internal sealed class Calculator(string process, Channel<string> report) : ICalculator
{
    private readonly List<string> _remembered = [];

    public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

    public ValueTask<int> DivideAsync(int a, int b) => new(a / b);

    public Task RememberAsync(string value)
    {
        lock (_remembered)
        {
            _remembered.Add(value);
        }

        return Task.CompletedTask;
    }

    public Task<List<string>> RecallAsync()
    {
        lock (_remembered)
        {
            return Task.FromResult(_remembered.Select(v => process + ":" + v).ToList());
        }
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await report.SendAsync("wait-cancelled", CancellationToken.None);
            throw;
        }
    }

    public async IAsyncEnumerable<int> SquaresAsync(int n)
    {
        for (var i = 1; i <= n; i++)
        {
            await Task.Yield();
            yield return i * i;
        }
    }

    public Task<Point> ScaleAsync(Point point, int factor) => Task.FromResult(new Point(point.X * factor, point.Y * factor));
}
