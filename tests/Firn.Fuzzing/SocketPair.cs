using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Fuzzing;

/// <summary>Two connected Unix stream sockets (<c>socketpair</c>): no file system path, nothing to clean up but the sockets.</summary>
internal static partial class SocketPair
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;

    /// <summary>Creates the pair; the caller disposes both.</summary>
    public static unsafe (Socket First, Socket Second) Create()
    {
        var fds = stackalloc int[2];
        if (socketpair(AfUnix, SockStream | SockCloexec, 0, fds) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        return (new Socket(new SafeSocketHandle(fds[0], ownsHandle: true)), new Socket(new SafeSocketHandle(fds[1], ownsHandle: true)));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int socketpair(int domain, int type, int protocol, int* fds);
}
