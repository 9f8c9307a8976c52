using System.Net.Sockets;

namespace Firn.Tests.Support;

/// <summary>Two connected Unix stream sockets, made through a listener on a temporary path; disposing closes both and removes the path.</summary>
internal sealed class SocketPair : IDisposable
{
    private readonly string _path;

    private SocketPair(string path, Socket local, Socket remote)
    {
        _path = path;
        Local = local;
        Remote = remote;
    }

    /// <summary>The connecting end (the one a test hands to a <see cref="Firn.Transport.Connection"/>).</summary>
    public Socket Local { get; }

    /// <summary>The accepted end: the peer the test plays.</summary>
    public Socket Remote { get; }

    public static async Task<SocketPair> ConnectAsync(string name)
    {
        var path = Path.Combine("/tmp", $"firn-{name}-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await local.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new SocketPair(path, local, await listener.AcceptAsync());
    }

    public void Dispose()
    {
        Remote.Dispose();
        Local.Dispose();
        File.Delete(_path);
    }
}
