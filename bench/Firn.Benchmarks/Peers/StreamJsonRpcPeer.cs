using System.Globalization;
using System.Net.Sockets;
using Firn.Benchmarks.Harness;
using StreamJsonRpc;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// B4 "streamjsonrpc" peer: StreamJsonRpc with its MessagePack formatter and length-prefixed framing over a Unix
/// socket. The main process serves <c>Add(int, int)</c>; a child (this program, role <c>sjr-client</c>) calls it
/// one call at a time, then with 64 calls in flight, and prints its rates.
/// </summary>
internal sealed class StreamJsonRpcPeer(BenchContext context) : Contestant("streamjsonrpc", "StreamJsonRpc 2.26, MessagePackFormatter, LengthHeaderMessageHandler, same Unix socket")
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var (sequential, concurrent) = warmup ? (1_000, 4_096) : (settings.RpcCalls, 4 * settings.RpcCalls);
        var path = context.NewSocketPath("sjr");
        using var listener = RawFraming.Listen(path);
        var process = context.Processes.StartRole(
            "sjr-client",
            path,
            (settings.RpcCalls / 10).ToString(CultureInfo.InvariantCulture),
            sequential.ToString(CultureInfo.InvariantCulture),
            concurrent.ToString(CultureInfo.InvariantCulture),
            BenchSettings.InFlight.ToString(CultureInfo.InvariantCulture));
        using var socket = await listener.AcceptAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var rpc = Connect(stream);
        rpc.AddLocalRpcTarget(new AddService());
        rpc.StartListening();
        return await RoleOutput.ReadAsync(process, context.Processes, settings.RunTimeout, cancellationToken);
    }

    /// <summary>The connection both sides use: MessagePack messages with a 4-byte length header.</summary>
    public static JsonRpc Connect(Stream stream) =>
        new(new LengthHeaderMessageHandler(stream, stream, new MessagePackFormatter()));

    /// <summary>The served object.</summary>
    public sealed class AddService
    {
#pragma warning disable CA1822 // StreamJsonRpc serves instance methods of the target object.
        public int Add(int a, int b) => a + b;
#pragma warning restore CA1822
    }
}
