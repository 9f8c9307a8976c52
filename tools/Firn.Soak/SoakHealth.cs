using System.Globalization;

namespace Firn.Soak;

/// <summary>The main process's own descriptors, threads and resident memory, read from /proc.</summary>
internal readonly record struct SoakHealth(int Descriptors, int Threads, long ResidentKiB)
{
    /// <summary>Descriptors may exceed the level before the traffic by this many (a connection being accepted, a pipe being read to its end).</summary>
    public const int DescriptorSlack = 4;

    /// <summary>Threads may exceed it by this many: the thread pool keeps some of the workers the traffic made it add.</summary>
    public const int ThreadSlack = 16;

    /// <summary>Resident memory may grow by this much (a bound, not an estimate: a leak of a message per delivery would pass it within seconds).</summary>
    public const long ResidentSlackKiB = 256 * 1024;

    public static SoakHealth Now()
    {
        var status = File.ReadAllLines("/proc/self/status");
        long Field(string name) => long.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal))[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return new SoakHealth(CountDescriptors(), (int)Field("Threads:"), Field("VmRSS:"));
    }

    /// <summary>
    /// The descriptors an instance of a child can hold in the main process: pipes, sockets and kernel objects. Files are
    /// left out: the runtime keeps each assembly it loads open, and one loaded late in the run is not a leak.
    /// </summary>
    private static int CountDescriptors() =>
        new DirectoryInfo("/proc/self/fd").GetFiles().Count(fd => fd.LinkTarget is { } target &&
            (target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("anon_inode:", StringComparison.Ordinal)));

    /// <summary>Whether this reading is back within the slack of <paramref name="baseline"/>.</summary>
    public bool IsBackTo(SoakHealth baseline) =>
        Descriptors <= baseline.Descriptors + DescriptorSlack &&
        Threads <= baseline.Threads + ThreadSlack &&
        ResidentKiB <= baseline.ResidentKiB + ResidentSlackKiB;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"pipe/socket fds {Descriptors}, threads {Threads}, RSS {ResidentKiB / 1024} MiB");
}
