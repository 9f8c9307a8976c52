using System.Globalization;
using System.Net.Sockets;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Firn.Benchmarks.Peers;

namespace Firn.Benchmarks.Roles;

/// <summary>The child side of S3's StreamJsonRpc peer: <c>sjr-echo-client PATH WARM CALLS SIZE</c>.</summary>
internal static class StreamJsonRpcEchoClientRole
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var path = arguments[0];
        var (warm, calls, size) = (Int(arguments[1]), Int(arguments[2]), Int(arguments[3]));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var rpc = StreamJsonRpcPeer.Connect(stream);
        rpc.StartListening();
        var ticks = await ChildRoles.TimeCallsAsync(warm, calls, size, data => rpc.InvokeAsync<byte[]>("Echo", data));
        RoleOutput.Write(Latency.AddSweep(new Metrics(), ticks, size));
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
