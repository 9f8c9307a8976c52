using System.Security.Cryptography;
using System.Text;
using Firn.Failures;

namespace Firn.Hosting;

/// <summary>
/// The private directory that holds the main process's socket: created with mode 0700 so that no other
/// user can even reach the socket, and removed when the app stops.
/// </summary>
internal sealed class SocketDirectory : IDisposable
{
    /// <summary>Linux's <c>sun_path</c> holds 108 bytes including the terminating NUL, so a path has at most 107.</summary>
    public const int MaxSocketPathBytes = 107;

    private const string SocketFileName = "main.sock";

    private SocketDirectory(string directory)
    {
        DirectoryPath = directory;
        SocketPath = Path.Combine(directory, SocketFileName);
    }

    /// <summary>The directory's path.</summary>
    public string DirectoryPath { get; }

    /// <summary>The socket's path inside it.</summary>
    public string SocketPath { get; }

    /// <summary>Creates a fresh private directory under <paramref name="parent"/> (by default <c>$XDG_RUNTIME_DIR</c> or the temp directory).</summary>
    public static SocketDirectory Create(string? parent)
    {
        parent ??= DefaultParent();
        var directory = Path.Combine(parent, "firn-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        ValidateSocketPath(Path.Combine(directory, SocketFileName));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // CreateDirectory applies the umask; set the mode explicitly so the directory is 0700 whatever the umask.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new SocketDirectory(directory);
    }

    /// <summary>Throws a clear error if <paramref name="socketPath"/> does not fit in a Unix socket address.</summary>
    public static void ValidateSocketPath(string socketPath)
    {
        var length = Encoding.UTF8.GetByteCount(socketPath);
        if (length > MaxSocketPathBytes)
        {
            throw FirnErrors.SocketPathTooLong(socketPath, length, MaxSocketPathBytes);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
            // Someone else removed it, or a file is busy; the directory is private, so leaving it is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string DefaultParent()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime) ? runtime : Path.GetTempPath();
    }
}
