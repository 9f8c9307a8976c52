using System.Diagnostics;
using System.Globalization;
using Firn.Tests.Hosting;
using Firn.Transport;

namespace Firn.Tests.Support;

/// <summary>
/// A .NET program (a test program or a sample) run as a real main process, with its output lines (standard output and
/// error). Disposing kills it and every child of it that is still alive.
/// </summary>
internal class ProgramProcess : IAsyncDisposable
{
    private readonly List<string> _lines = [];
    private readonly HashSet<int> _children = [];

    protected ProgramProcess(string programPath, IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        info.ArgumentList.Add(programPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A main process, whatever the test process inherited.
        info.Environment.Remove("FIRN_PROCESS_NAME");
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        Process = Process.Start(info)!;
        Process.OutputDataReceived += (_, e) => OnLine(e.Data);
        Process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

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

    /// <summary>Starts <paramref name="programPath"/> (a .dll) with <paramref name="args"/>.</summary>
    public static ProgramProcess Start(string programPath, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(programPath, args, workingDirectory, environment);

    /// <summary>Waits for the first line (so far or to come) that matches, and returns it; fails at once if the program exits without it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string? what = null)
    {
        what ??= "the program prints the expected line";
        string? found = null;
        try
        {
            await TestApps.UntilAsync(() => (found = Find(match, what)) is not null, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Its last lines:\n{string.Join('\n', Lines.TakeLast(40))}", ex);
        }

        return found!;
    }

    public Task<string> WaitForLineAsync(string exact) => WaitForLineAsync(l => l == exact, $"the program prints '{exact}'");

    /// <summary>Writes a command to the program's standard input.</summary>
    public async Task SendAsync(string command)
    {
        await Process.StandardInput.WriteLineAsync(command);
        await Process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        await Process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        return Process.ExitCode;
    }

    /// <summary>Sends SIGTERM (what systemd and a service manager send) and waits for the exit code.</summary>
    public Task<int> TerminateAsync()
    {
        _ = NativeMethods.kill(Process.Id, NativeMethods.SIGTERM);
        return WaitForExitAsync();
    }

    /// <summary>The program's children now alive (a main process spawns its children itself); each is also killed at dispose.</summary>
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

        Remember(children);
        return children;
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
        GC.SuppressFinalize(this);
    }

    /// <summary>Children learnt otherwise (from the program's output), to be killed at dispose if still alive.</summary>
    protected void Remember(IEnumerable<int> children)
    {
        lock (_children)
        {
            _children.UnionWith(children);
        }
    }

    private string? Find(Func<string, bool> match, string what)
    {
        if (Lines.FirstOrDefault(match) is { } line)
        {
            return line;
        }

        if (!Process.HasExited)
        {
            return null;
        }

        // Exited: once its output is read to the end, a line not there never comes.
        Process.WaitForExit();
        return Lines.FirstOrDefault(match)
            ?? throw new InvalidOperationException($"The program exited ({Process.ExitCode}) before {what}:\n{string.Join('\n', Lines.TakeLast(40))}");
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
