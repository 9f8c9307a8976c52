using System.ComponentModel;
using System.Runtime.InteropServices;
using Firn.Failures;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>
/// Hands a child its secret through an inherited pipe rather than its environment: <c>/proc/&lt;pid&gt;/environ</c>
/// is readable by every process of the same user for the child's whole life (clearing .NET's copy of a variable does
/// not change it), while the pipe is emptied and closed by the child at start-up.
/// </summary>
internal static class SecretHandover
{
    /// <summary>More than any secret the main process makes (64 hex characters); a longer one is refused.</summary>
    private const int MaxSecretLength = 1024;

    /// <summary>
    /// Makes a pipe that holds <paramref name="secret"/> and returns its read end, which the next spawn inherits;
    /// the caller closes it once the spawn returned. Call it on the spawner thread right before the spawn: the
    /// read end is inheritable from here until it is closed, and a process forked meanwhile by other code would
    /// inherit it too.
    /// </summary>
    public static unsafe int CreateReadEnd(ReadOnlySpan<byte> secret)
    {
        var fds = stackalloc int[2];
        if (NativeMethods.pipe2(fds, NativeMethods.O_CLOEXEC) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "cannot create the pipe that hands the child its secret");
        }

        var (readEnd, writeEnd) = (fds[0], fds[1]);
        try
        {
            // The secret is far below PIPE_BUF, so this one write takes all of it without blocking.
            nint written;
            fixed (byte* bytes = secret)
            {
                written = NativeMethods.write(writeEnd, bytes, (nuint)secret.Length);
            }

            if (written != secret.Length || NativeMethods.fcntl(readEnd, NativeMethods.F_SETFD, 0) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "cannot hand the child its secret through a pipe");
            }
        }
        catch
        {
            _ = NativeMethods.close(readEnd);
            throw;
        }
        finally
        {
            _ = NativeMethods.close(writeEnd);
        }

        return readEnd;
    }

    /// <summary>In the child: reads the secret from the inherited descriptor <paramref name="fd"/> to its end, then closes it.</summary>
    public static unsafe string ReadAndClose(int fd)
    {
        var buffer = new byte[MaxSecretLength + 1];
        var length = 0;
        try
        {
            fixed (byte* start = buffer)
            {
                while (length < buffer.Length)
                {
                    var read = NativeMethods.read(fd, start + length, (nuint)(buffer.Length - length));
                    if (read == 0)
                    {
                        break;
                    }

                    if (read < 0)
                    {
                        var error = Marshal.GetLastPInvokeError();
                        if (error == NativeMethods.EINTR)
                        {
                            continue;
                        }

                        throw FirnErrors.SecretUnreadable(fd, new Win32Exception(error).Message);
                    }

                    length += (int)read;
                }
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }

        if (length is 0 or > MaxSecretLength)
        {
            throw FirnErrors.SecretWrongSize(fd, length, MaxSecretLength);
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }
}
