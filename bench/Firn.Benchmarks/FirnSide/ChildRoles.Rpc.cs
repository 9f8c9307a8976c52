using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <content>B4's child: calls Add(int, int) in the main process through Firn RPC.</content>
internal static partial class ChildRoles
{
    /// <summary>B4: on "rpc &lt;warm&gt; &lt;sequential&gt; &lt;concurrent&gt; &lt;in flight&gt;", times calls of "add" and reports "seq/s conc/s".</summary>
    private static async Task RpcClientAsync(FirnProcessContext context)
    {
        while (!context.Stopping.IsCancellationRequested)
        {
            var command = await NextCommandAsync(context);
            var (warm, sequential, concurrent, inFlight) = (Int(command[1]), Int(command[2]), Int(command[3]), Int(command[4]));
            var rpc = context.App.Rpc;
            if (await rpc.CallAsync<int>("add", 1, 2) != 3)
            {
                throw new InvalidOperationException("add(1, 2) did not return 3.");
            }

            for (var i = 0; i < warm; i++)
            {
                await rpc.CallAsync<int>("add", i, 1);
            }

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < sequential; i++)
            {
                await rpc.CallAsync<int>("add", i, 1);
            }

            var sequentialRate = sequential / clock.Elapsed.TotalSeconds;
            var concurrentRate = await ConcurrentRateAsync(concurrent, inFlight, () => rpc.CallAsync<int>("add", 1, 2));
            await ReportAsync(context, Format.Invariantly($"{sequentialRate} {concurrentRate}"));
        }
    }
}
