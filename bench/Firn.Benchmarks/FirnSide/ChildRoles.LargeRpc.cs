using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <content>S3's child: calls Echo(byte[]) in the main process with large arguments.</content>
internal static partial class ChildRoles
{
    /// <summary>S3: on "bigrpc &lt;warm&gt; &lt;calls&gt; &lt;size&gt;", times calls of "s3.echo" with size bytes and reports their latencies (JSON).</summary>
    private static async Task LargeRpcClientAsync(FirnProcessContext context)
    {
        while (!context.Stopping.IsCancellationRequested)
        {
            var command = await NextCommandAsync(context);
            var (warm, calls, size) = (Int(command[1]), Int(command[2]), Int(command[3]));
            var ticks = await TimeCallsAsync(warm, calls, size, data => context.App.Rpc.CallAsync<byte[]>(FirnLargeRpc.Method, [data]));
            await ReportAsync(context, RoleOutput.Line(Latency.AddSweep(new Metrics(), ticks, size)));
        }
    }

    /// <summary>Makes <paramref name="warm"/> untimed calls, then times <paramref name="calls"/> more; each must return the <paramref name="size"/> bytes it was given.</summary>
    internal static async Task<long[]> TimeCallsAsync(int warm, int calls, int size, Func<byte[], Task<byte[]>> call)
    {
        var data = Payload.Bytes(size);
        for (var i = 0; i < warm; i++)
        {
            Check(await call(data), size);
        }

        var ticks = new long[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await call(data);
            ticks[i] = Stopwatch.GetTimestamp() - start;
            Check(result, size);
        }

        return ticks;
    }

    private static void Check(byte[] result, int size)
    {
        if (result.Length != size)
        {
            throw new InvalidOperationException($"The echo returned {result.Length} bytes instead of {size}.");
        }
    }
}
