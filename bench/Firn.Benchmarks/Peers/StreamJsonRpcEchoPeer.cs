using System.Globalization;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.Peers;

/// <summary>
/// S3 "streamjsonrpc" peer: as for B4 (<see cref="StreamJsonRpcPeer"/>), the main process serves <c>Echo(byte[])</c>;
/// a child (role <c>sjr-echo-client</c>) calls it with 1 MiB one call at a time and prints the latencies.
/// </summary>
internal sealed class StreamJsonRpcEchoPeer(BenchContext context) : Contestant("streamjsonrpc", "StreamJsonRpc 2.26, MessagePackFormatter, LengthHeaderMessageHandler, same Unix socket")
{
    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var path = context.NewSocketPath("sjr");
        using var listener = RawFraming.Listen(path);
        var process = context.Processes.StartRole(
            "sjr-echo-client",
            path,
            settings.LargeRpcWarmupCalls.ToString(CultureInfo.InvariantCulture),
            (warmup ? 1 : settings.LargeRpcCalls).ToString(CultureInfo.InvariantCulture),
            BenchSettings.LargeRpcSize.ToString(CultureInfo.InvariantCulture));
        using var socket = await listener.AcceptAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        using var rpc = StreamJsonRpcPeer.Connect(stream);
        rpc.AddLocalRpcTarget(new EchoService());
        rpc.StartListening();
        var metrics = await RoleOutput.ReadAsync(process, context.Processes, settings.RunTimeout, cancellationToken);
        return warmup ? [] : metrics;
    }

    /// <summary>The served object.</summary>
    public sealed class EchoService
    {
#pragma warning disable CA1822 // StreamJsonRpc serves instance methods of the target object.
        public byte[] Echo(byte[] data) => data;
#pragma warning restore CA1822
    }
}
