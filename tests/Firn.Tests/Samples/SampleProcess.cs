using System.Diagnostics;
using System.Globalization;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Samples;

/// <summary>
/// A sample program of samples/ run as a real main process, with its output lines; disposing kills it and every
/// child it left. Samples are found in their own build output (the test project builds them first).
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly List<string> _lines = [];
    private readonly HashSet<int> _children = [];

    private SampleProcess(Process process) => Process = process;

    public Process Process { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts samples/<paramref name="name"/> with <paramref name="args"/>.</summary>
    public static SampleProcess Start(string name, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Nothing of the test process's own directory is found by accident: the samples find their files beside them.
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(ProgramPath(name));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FIRN_PROCESS_NAME");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var sample = new SampleProcess(Process.Start(info)!);
        sample.Process.OutputDataReceived += (_, e) => sample.OnLine(e.Data);
        sample.Process.ErrorDataReceived += (_, e) => sample.OnLine(e.Data);
        sample.Process.BeginOutputReadLine();
        sample.Process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits for the first line (so far or to come) that matches, and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        string? found = null;
        await TestApps.UntilAsync(
            () => (found = Lines.FirstOrDefault(match)) is not null || (Process.HasExited ? throw new InvalidOperationException($"The sample exited ({Process.ExitCode}) before {what}:\n{string.Join('\n', Lines.TakeLast(40))}") : false),
            what);
        return found!;
    }

    /// <summary>The sample's children now alive (they are its direct children: the main process spawns them itself).</summary>
    public IReadOnlyList<int> LiveChildren()
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == Process.Id)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // It exited while we looked.
            }
        }

        lock (_children)
        {
            _children.UnionWith(children);
        }

        return children;
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl+C's handler do) and waits for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        _ = NativeMethods.kill(Process.Id, NativeMethods.SIGTERM);
        await Process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            _ = LiveChildren();
            Process.Kill();
        }

        await Process.WaitForExitAsync();
        int[] children;
        lock (_children)
        {
            children = [.. _children];
        }

        foreach (var pid in children.Where(SupervisedApps.IsAlive))
        {
            _ = NativeMethods.kill(pid, NativeMethods.SIGKILL);
        }

        Process.Dispose();
    }

    /// <summary>samples/NAME/bin/CONFIGURATION/net10.0/NAME.dll, the configuration being the test project's own.</summary>
    private static string ProgramPath(string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Firn.slnx")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("The repository root (Firn.slnx) was not found above " + AppContext.BaseDirectory), "samples", name, "bin", configuration, output.Name, name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The sample {name} is not built (dotnet build Firn.slnx).", path);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
