using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Firn.Benchmarks.Harness;

/// <summary>
/// Starts the peer processes of the benchmark (this program in a role, python3, redis-server, …) and makes sure
/// none outlives it: each is tied to this process with <c>setpriv --pdeathsig KILL</c> where available, and every
/// one still running is killed on exit, on Ctrl+C and on failure.
/// </summary>
/// <remarks>
/// Linux sends the parent-death signal when the <em>thread</em> that forked the child exits, and thread-pool threads
/// retire when idle; so every process is started from one dedicated thread that lives as long as this process.
/// </remarks>
internal sealed class ChildProcesses
{
    private static readonly string? Setpriv = File.Exists("/usr/bin/setpriv") ? "/usr/bin/setpriv" : null;
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> SpawnQueue = StartSpawner();
    private readonly ConcurrentDictionary<int, Process> _running = new();

    /// <summary>Starts this benchmark program again in a role (see Roles/RoleMain.cs).</summary>
    public Process StartRole(params string[] roleArguments) => StartRole(redirectInput: false, roleArguments);

    /// <summary>Starts this benchmark program again in a role; with <paramref name="redirectInput"/>, it takes commands on its standard input.</summary>
    public Process StartRole(bool redirectInput, params string[] roleArguments)
    {
        var (fileName, leading) = CurrentProgram();
        return Start(fileName, [.. leading, "role", .. roleArguments], redirectInput: redirectInput);
    }

    /// <summary>Starts a program with redirected output; its standard error is copied to ours.</summary>
    public Process Start(string fileName, IEnumerable<string> arguments, bool tieToParent = true, bool redirectInput = false)
    {
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };
        if (tieToParent && Setpriv is not null)
        {
            info.FileName = Setpriv;
            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("KILL");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(fileName);
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A peer is not a Firn child, whatever this process is.
        foreach (var variable in new[] { "FIRN_PROCESS_NAME", "FIRN_SOCKET", "FIRN_SECRET_FD", "FIRN_PARENT_PID" })
        {
            info.Environment.Remove(variable);
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        SpawnQueue.Add((info, started));
        var process = started.Task.GetAwaiter().GetResult();
        _running[process.Id] = process;
        var name = Path.GetFileName(fileName);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"  [{name} {process.Id}] {line}");
            }
        };
        process.BeginErrorReadLine();
        process.Exited += (_, _) => _running.TryRemove(process.Id, out _);
        process.EnableRaisingEvents = true;
        return process;
    }

    /// <summary>Waits for a process to exit (killing it after <paramref name="timeout"/>) and returns its exit code.</summary>
    public async Task<int> WaitAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync();
            throw new TimeoutException($"Process {process.Id} did not exit within {timeout.TotalSeconds:0} s; it was killed.");
        }
        finally
        {
            _running.TryRemove(process.Id, out _);
        }

        return process.ExitCode;
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    public void KillAll()
    {
        foreach (var process in _running.Values)
        {
            Kill(process);
        }

        _running.Clear();
    }

    private static BlockingCollection<(ProcessStartInfo, TaskCompletionSource<Process>)> StartSpawner()
    {
        var queue = new BlockingCollection<(ProcessStartInfo, TaskCompletionSource<Process>)>();
        var thread = new Thread(() =>
        {
            foreach (var (info, started) in queue.GetConsumingEnumerable())
            {
                try
                {
                    started.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}."));
                }
                catch (Exception ex)
                {
                    started.SetException(ex);
                }
            }
        })
        {
            IsBackground = true,
            Name = "bench spawner",
        };
        thread.Start();
        return queue;
    }

    /// <summary>This program's executable, plus its DLL when it runs under the <c>dotnet</c> host.</summary>
    public static (string FileName, string[] Leading) CurrentProgram()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's executable.");
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? (path, [Assembly.GetEntryAssembly()!.Location])
            : (path, []);
    }
}
