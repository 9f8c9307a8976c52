using System.Globalization;
using System.Runtime.InteropServices;
using Firn.Transport;

namespace Firn.Admin;

/// <summary>
/// Where the admin socket lives: the directory (private to this user, created 0700, refused when someone else could
/// write into it) and the file <c>&lt;app&gt;.&lt;pid&gt;.admin.sock</c>. Stale sockets of this app name whose pid is gone
/// are removed.
/// </summary>
internal static partial class AdminSocketFile
{
    public const string Suffix = ".admin.sock";

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int NoSuchProcess = 3;

    /// <summary>The default directory: <c>$XDG_RUNTIME_DIR/firn</c> when that is a directory, else <c>/tmp/firn-&lt;uid&gt;</c>.</summary>
    public static string DefaultDirectory()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime)
            ? Path.Combine(runtime, "firn")
            : Path.Combine("/tmp", "firn-" + PeerCredentials.CurrentUserId.ToString(CultureInfo.InvariantCulture));
    }

    public static string SocketPath(string directory, string appName, int pid) =>
        Path.Combine(directory, appName + "." + pid.ToString(CultureInfo.InvariantCulture) + Suffix);

    /// <summary>
    /// Creates <paramref name="directory"/> (0700) or checks the existing one; returns why it cannot hold the socket,
    /// or null when it can.
    /// </summary>
    public static string? PrepareDirectory(string directory)
    {
        if (!Directory.Exists(directory) && !File.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"it could not be created ({ex.Message})";
            }
        }

        if (Stat(directory) is not var (uid, mode))
        {
            return "it could not be examined";
        }

        if ((mode & FileTypeMask) != DirectoryType)
        {
            return "it is not a directory (or is a symbolic link)";
        }

        if (uid != PeerCredentials.CurrentUserId)
        {
            return $"it is owned by uid {uid}, not by this process's user (uid {PeerCredentials.CurrentUserId})";
        }

        if ((mode & 0x12) != 0)
        {
            return $"it is writable by group or others (mode {Convert.ToString(mode & 0x1FF, 8)})";
        }

        return null;
    }

    /// <summary>Removes sockets of <paramref name="appName"/> in <paramref name="directory"/> whose process is gone.</summary>
    /// <returns>The paths removed.</returns>
    public static List<string> RemoveStale(string directory, string appName)
    {
        var removed = new List<string>();
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(directory, appName + ".*" + Suffix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return removed;
        }

        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            var pidText = name.AsSpan(appName.Length + 1, name.Length - appName.Length - 1 - Suffix.Length);
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || IsAlive(pid))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's to clean up.
            }
        }

        return removed;
    }

    /// <summary>Whether a process with this pid exists: signal 0 reaches it, or exists but may not be signalled (EPERM).</summary>
    public static bool IsAlive(int pid) => NativeMethods.kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != NoSuchProcess;

    /// <summary>The owner and mode of <paramref name="path"/> itself (a symbolic link is not followed), or null.</summary>
    public static unsafe (uint Uid, int Mode)? Stat(string path)
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
}
