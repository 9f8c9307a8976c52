using System.Diagnostics;
using System.Globalization;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.GenericHost;

/// <summary>
/// A running Firn.TestHostApp main process (the Generic Host application of the tests) with its output lines; disposing
/// kills it and whatever children are left.
/// </summary>
internal sealed class HostAppProcess : IAsyncDisposable
{
    private readonly List<string> _lines = [];

    private HostAppProcess(Process process) => Process = process;

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

    /// <summary>The children's pids, from the "pids=" line the main process prints at ApplicationStarted.</summary>
    public IReadOnlyDictionary<string, int> Children { get; private set; } = new Dictionary<string, int>();

    /// <summary>Starts the program with <paramref name="scenario"/>; with <paramref name="waitUntilStarted"/>, returns once the host has started.</summary>
    public static async Task<HostAppProcess> StartAsync(string scenario = "run", bool waitUntilStarted = true)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firn.TestHostApp.dll"));
        info.ArgumentList.Add(scenario);
        info.Environment.Remove("FIRN_PROCESS_NAME");
        var app = new HostAppProcess(Process.Start(info)!);
        app.Process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        app.Process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        app.Process.BeginOutputReadLine();
        app.Process.BeginErrorReadLine();
        if (!waitUntilStarted)
        {
            return app;
        }

        try
        {
            var line = await app.WaitForLineAsync(l => l.StartsWith("pids=", StringComparison.Ordinal));
            app.Children = line["pids=".Length..].Split(',').Select(p => p.Split(':')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the first line (so far or to come) that matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string? what = null)
    {
        string? found = null;
        await TestApps.UntilAsync(() => (found = Lines.FirstOrDefault(match)) is not null || Process.HasExited && (found = Lines.FirstOrDefault(match)) is not null, what ?? "the host application prints the expected line");
        return found!;
    }

    public Task<string> WaitForLineAsync(string exact) => WaitForLineAsync(l => l == exact, $"the host application prints '{exact}'");

    /// <summary>Writes a command to the main process's standard input.</summary>
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

    /// <summary>Waits until every child is gone (not even a zombie).</summary>
    public Task ChildrenGoneAsync() =>
        TestApps.UntilAsync(() => Children.Values.All(pid => !SupervisedApps.IsAlive(pid)), "every child of the host application has exited");

    /// <summary>The index of the first line that matches exactly, or -1.</summary>
    public int IndexOf(string line) => Lines.ToList().IndexOf(line);

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
        }

        await Process.WaitForExitAsync();
        foreach (var pid in Children.Values.Where(SupervisedApps.IsAlive))
        {
            _ = NativeMethods.kill(pid, NativeMethods.SIGKILL);
        }

        Process.Dispose();
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
