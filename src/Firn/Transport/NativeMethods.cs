using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>The few libc calls Firn needs on Linux.</summary>
internal static partial class NativeMethods
{
    internal const int SIGHUP = 1;
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;
    internal const int SIGCONT = 18;
    internal const int SIGSTOP = 19;

    /// <summary><c>send</c> and <c>recv</c> flag: fail with EAGAIN instead of blocking.</summary>
    internal const int MSG_DONTWAIT = 0x40;

    /// <summary><c>send</c> flag: no SIGPIPE when the peer is gone (an error instead).</summary>
    internal const int MSG_NOSIGNAL = 0x4000;

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ECONNRESET = 104;

    /// <summary><c>prctl</c> option: the signal this process gets when its parent thread exits.</summary>
    internal const int PR_SET_PDEATHSIG = 1;

    /// <summary>The <c>pidfd_open</c> system call's number (the same on x64 and arm64; Linux 5.3 and later).</summary>
    internal const nint SYS_pidfd_open = 434;

    /// <summary><c>poll</c> event: readable (for a pidfd: the process has exited).</summary>
    internal const short POLLIN = 0x1;

    /// <summary><c>pipe2</c> and <c>open</c> flag: close on exec.</summary>
    internal const int O_CLOEXEC = 0x80000;

    /// <summary><c>fcntl</c> command: set the descriptor flags (0 clears close-on-exec).</summary>
    internal const int F_SETFD = 2;

    [LibraryImport("libc", SetLastError = false)]
    internal static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial int pipe2(int* fds, int flags);

    /// <summary><c>fcntl</c> with an integer argument. Variadic in C; on Linux x64 and arm64 an int passes the same way.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = false)]
    internal static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    /// <summary><c>poll(2)</c> on one descriptor; <paramref name="pollfd"/> is a <c>struct pollfd</c> (int fd, short events, short revents).</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial int poll(long* pollfd, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial nint recv(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial nint send(int socket, byte* buffer, nuint length, int flags);

    /// <summary><c>prctl</c> is variadic in C; on Linux x64 and arm64 integer arguments pass the same way either way.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>
    /// <c>syscall</c> with a pid and flags, for <c>pidfd_open</c> (glibc before 2.36 has no wrapper). Variadic in C;
    /// glibc implements it in assembly that only moves integer registers, so the fixed signature passes them the same way.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial int syscall_pid(nint number, int pid, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);

    /// <summary><c>signal</c>; <paramref name="handler"/> 0 is <c>SIG_DFL</c>. Returns the previous handler (1 is <c>SIG_IGN</c>).</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint signal(int signal, nint handler);

    /// <summary>C's <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
