using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Roles;

/// <summary>The child side of the StreamJsonRpc peer: <c>sjr-client PATH WARM SEQUENTIAL CONCURRENT INFLIGHT</c>.</summary>
internal static class StreamJsonRpcClientRole
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var path = arguments[0];
        var (warm, sequential, concurrent, inFlight) = (Int(arguments[1]), Int(arguments[2]), Int(arguments[3]), Int(arguments[4]));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var rpc = StreamJsonRpcPeer.Connect(stream);
        rpc.StartListening();
        if (await rpc.InvokeAsync<int>("Add", 1, 2) != 3)
        {
            throw new InvalidOperationException("Add(1, 2) did not return 3.");
        }

        for (var i = 0; i < warm; i++)
        {
            await rpc.InvokeAsync<int>("Add", i, 1);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < sequential; i++)
        {
            await rpc.InvokeAsync<int>("Add", i, 1);
        }

        var sequentialRate = sequential / clock.Elapsed.TotalSeconds;
        var concurrentRate = await ChildRoles.ConcurrentRateAsync(concurrent, inFlight, () => rpc.InvokeAsync<int>("Add", 1, 2));
        RoleOutput.Write(new Dictionary<string, double> { ["seq_calls_per_s"] = sequentialRate, ["conc_calls_per_s"] = concurrentRate });
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
