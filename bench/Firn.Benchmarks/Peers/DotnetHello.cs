using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B6's yardstick: a bare .NET process that prints "hello" (this program's executable in the role <c>hello</c>,
/// which returns before touching Firn or any peer library), timed from <c>Process.Start</c> to the line read.
/// </summary>
internal sealed class DotnetHello(BenchContext context) : Contestant("dotnet-hello", "this executable, role 'hello': Main prints one line and returns")
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var process = context.Processes.StartRole("hello");
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        var elapsed = clock.Elapsed;
        await context.Processes.WaitAsync(process, TimeSpan.FromSeconds(30));
        return line == "hello"
            ? new Metrics { ["start_ms"] = elapsed.TotalMilliseconds, ["exit_ms"] = clock.Elapsed.TotalMilliseconds }
            : throw new InvalidOperationException($"Expected 'hello', got '{line}'.");
    }
}
