using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Cli.Connection;

/// <summary>
/// The app's own rules for its admin directory (docs/SECURITY.md, "The admin socket"), applied by firnctl before it
/// connects: the directory is owned by this user or root, is not a symbolic link and is not writable by group or
/// others; the socket file is this user's; and the process that answers (<c>SO_PEERCRED</c>) runs as this user or root.
/// Otherwise another user could have planted the socket, and firnctl would send them the operator's requests.
/// </summary>
internal static partial class SocketTrust
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int SocketType = 0xC000;
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int NoSuchFile = 2;
    private const int NotADirectory = 20;

    /// <summary>This process's effective user id (the one the app's <c>SO_PEERCRED</c> check sees).</summary>
    public static uint CurrentUserId => geteuid();

    /// <summary>
    /// False when <paramref name="directory"/> does not exist (no app runs there); true when it is one the app itself
    /// would use; otherwise throws (exit code 3).
    /// </summary>
    public static bool CheckDirectory(string directory)
    {
        if (Stat(directory) is not var (uid, mode))
        {
            if (Marshal.GetLastPInvokeError() is NoSuchFile or NotADirectory)
            {
                return false;
            }

            throw Refused($"the admin directory {directory} could not be examined");
        }

        if ((mode & FileTypeMask) != DirectoryType)
        {
            throw Refused($"the admin directory {directory} is not a directory (a symbolic link?)");
        }

        if (uid != CurrentUserId && uid != 0)
        {
            throw Refused($"the admin directory {directory} is owned by uid {uid}, neither this user (uid {CurrentUserId}) nor root");
        }

        if ((mode & 0x12) != 0)
        {
            throw Refused($"the admin directory {directory} is writable by group or others (mode {Convert.ToString(mode & 0x1FF, 8)})");
        }

        return true;
    }

    /// <summary>Throws (exit code 3) unless the socket file is a socket (not a link) owned by this user.</summary>
    public static void CheckSocketFile(AppEndpoint app)
    {
        if (Stat(app.SocketPath) is not var (uid, mode))
        {
            throw Refused($"the admin socket {app.SocketPath} could not be examined");
        }

        if ((mode & FileTypeMask) != SocketType)
        {
            throw Refused($"{app.SocketPath} is not a socket (a symbolic link?)");
        }

        if (uid != CurrentUserId)
        {
            throw Refused($"the admin socket {app.SocketPath} is owned by uid {uid}, not by this user (uid {CurrentUserId})");
        }
    }

    /// <summary>Throws (exit code 3) unless the process on the other end of <paramref name="socket"/> runs as this user or root.</summary>
    public static void CheckServer(Socket socket, AppEndpoint app)
    {
        Span<byte> ucred = stackalloc byte[12];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        }
        catch (SocketException ex)
        {
            throw Refused($"the credentials of {app} could not be read ({ex.Message})");
        }

        var uid = MemoryMarshal.Read<uint>(ucred[4..]);
        if (length < 12 || (uid != CurrentUserId && uid != 0))
        {
            var pid = MemoryMarshal.Read<int>(ucred);
            throw Refused(string.Create(CultureInfo.InvariantCulture, $"the process that answers on {app.SocketPath} (pid {pid}) runs as uid {uid}, neither this user (uid {CurrentUserId}) nor root"));
        }
    }

    private static CliException Refused(string why) =>
        new(ExitCodes.NoApp, $"Refusing to connect: {why}. An app would refuse it too; another user may have planted it. Nothing was sent.");

    /// <summary>The owner and mode of <paramref name="path"/> itself (a symbolic link is not followed), or null.</summary>
    private static unsafe (uint Uid, int Mode)? Stat(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            return null;
        }

        return (*(uint*)(buffer + StatxUidOffset), *(ushort*)(buffer + StatxModeOffset));
    }

    // statx's buffer has the same layout on every architecture, unlike struct stat.
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
