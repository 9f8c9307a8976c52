using Microsoft.Extensions.Logging;

namespace Firn.Benchmarks.Harness;

/// <summary>What every case shares in one run of the suite: settings, a private temp directory, child processes.</summary>
internal sealed class BenchContext : IDisposable
{
    private int _nextSocket;

    public BenchContext(BenchSettings settings)
    {
        Settings = settings;
        TempDirectory = Directory.CreateTempSubdirectory("firn-bench-").FullName;
        File.SetUnixFileMode(TempDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        QuietLogs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFirnConsole("bench"));
    }

    public BenchSettings Settings { get; }

    /// <summary>A 0700 directory under /tmp for every Unix socket of the run (short paths: well under 107 bytes).</summary>
    public string TempDirectory { get; }

    /// <summary>Warnings and errors only: the benchmark's own output is the report.</summary>
    public ILoggerFactory QuietLogs { get; }

    public ChildProcesses Processes { get; } = new();

    /// <summary>A fresh socket path in the temp directory.</summary>
    public string NewSocketPath(string prefix)
    {
        var path = Path.Combine(TempDirectory, $"{prefix}{Interlocked.Increment(ref _nextSocket)}.sock");
        if (path.Length > 100)
        {
            throw new InvalidOperationException($"Socket path too long for a Unix socket: {path}");
        }

        return path;
    }

    public void Dispose()
    {
        Processes.KillAll();
        QuietLogs.Dispose();
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
