using System.Net.Sockets;
using Firn.Channels;
using Firn.Hosting;
using Firn.Serialization;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Support;

/// <summary>
/// A child's host in the test process, connected over a real Unix socket to the test, which plays the main process:
/// it accepted the connection and sent the Welcome, and sends whatever frames a test needs.
/// </summary>
internal sealed class InProcessChild : IAsyncDisposable
{
    private readonly string _path;
    private readonly Socket _listener;

    private InProcessChild(string path, Socket listener, ChildHost host, ChannelRegistry registry, Socket main)
    {
        _path = path;
        _listener = listener;
        Host = host;
        Registry = registry;
        Main = main;
    }

    public ChildHost Host { get; }

    public ChannelRegistry Registry { get; }

    /// <summary>The main process's end of the connection.</summary>
    public Socket Main { get; }

    /// <summary>Connects a child named <paramref name="name"/>; <paramref name="register"/> adds frame handlers before the connection starts.</summary>
    public static async Task<InProcessChild> ConnectAsync(string name, Action<ChildHost, ChannelRegistry>? register = null)
    {
        var path = Path.Combine("/tmp", $"firn-inproc-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var limit = new MessageSizeLimit(1024 * 1024);
        var registry = new ChannelRegistry(MessagePackFirnSerializer.Instance, limit, NullLoggerFactory.Instance, TestApps.Timeout, OutboundBuffer.DefaultHardLimit);
        var host = new ChildHost(new ChildEnvironment(name, path, "secret", Environment.ProcessId), registry, TestApps.Timeout, NullLogger.Instance);
        registry.Bind(host.RouterLink);
        register?.Invoke(host, registry);

        var accepting = listener.AcceptAsync();
        var connecting = host.ConnectAsync(limit, OutboundBuffer.DefaultHardLimit, TestApps.Timeout, socketPollWindow: TimeSpan.Zero);
        var main = await accepting.WaitAsync(TestApps.Timeout);
        var child = new InProcessChild(path, listener, host, registry, main);
        await child.SendFrameAsync(FrameKind.Welcome, Handshake.EncodeWelcome(1024 * 1024, 16, 1024 * 1024));
        await connecting.WaitAsync(TestApps.Timeout);
        return child;
    }

    /// <summary>Sends one frame to the child, as the main process.</summary>
    public async Task SendFrameAsync(FrameKind kind, byte[] body) => await Main.SendAsync(Frames.Encode(kind, body));

    public async ValueTask DisposeAsync()
    {
        await Host.FlushAndCloseAsync(TimeSpan.FromSeconds(1));
        Main.Dispose();
        _listener.Dispose();
        File.Delete(_path);
    }
}
