using System.Runtime.InteropServices;

namespace Firn;

/// <summary>The few libc calls Firn needs on Linux.</summary>
internal static partial class NativeMethods
{
    internal const int SIGHUP = 1;
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;
    internal const int SIGSTOP = 19;

    /// <summary><c>prctl</c> option: the signal this process gets when its parent thread exits.</summary>
    internal const int PR_SET_PDEATHSIG = 1;

    [LibraryImport("libc", SetLastError = false)]
    internal static partial uint geteuid();

    [LibraryImport("libc", SetLastError = false)]
    internal static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    /// <summary><c>prctl</c> is variadic in C; on Linux x64 and arm64 integer arguments pass the same way either way.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
