using System.Runtime.InteropServices;

namespace Firn;

/// <summary>The few libc calls Firn needs on Linux.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", SetLastError = false)]
    internal static partial uint geteuid();

    [LibraryImport("libc", SetLastError = false)]
    internal static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    internal const int SIGTERM = 15;
}
