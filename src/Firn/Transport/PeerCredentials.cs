using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>The kernel's record of who is on the other end of a Unix socket (<c>SO_PEERCRED</c>).</summary>
/// <param name="ProcessId">The peer's process id at connect time.</param>
/// <param name="UserId">The peer's effective user id.</param>
/// <param name="GroupId">The peer's effective group id.</param>
internal readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads the peer's credentials from a connected Unix socket.</summary>
    public static PeerCredentials Read(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
        {
            throw new SocketException((int)SocketError.ProtocolOption);
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }

    /// <summary>This process's effective user id.</summary>
    public static uint CurrentUserId => NativeMethods.geteuid();
}
