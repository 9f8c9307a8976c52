using System.Diagnostics;
using System.Text.RegularExpressions;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Python;

/// <summary>
/// samples/Firn.PythonDemo as a real process (the main process in its own process, its child "nonebot" in Python):
/// its log lines appear and SIGTERM stops it with exit code 0; a SIGKILLed main process leaves no Python child behind.
/// </summary>
public sealed partial class PythonDemoTests
{
    private static string DemoPath { get; } = Samples.Sample.ProgramPath("Firn.PythonDemo");

    [PythonFact]
    public async Task The_Python_demo_plays_the_seed_demo_and_stops_on_SIGTERM_with_exit_code_0()
    {
        using var demo = Demo.Start();

        foreach (var line in new[] { "Passive receive: I am main process passive", "Active receive: I am main process active", "Event nonebot.heard: message #1 (shared counter: 1)", "asking the main process to restart me", "'nonebot' restarted", "message #3 (shared counter: 3)" })
        {
            await TestApps.UntilAsync(() => demo.Output.Contains(line, StringComparison.Ordinal), $"the demo logs \"{line}\"");
        }

        Assert.Equal(0, NativeMethods.kill(demo.Process.Id, NativeMethods.SIGTERM));
        await demo.Process.WaitForExitAsync().WaitAsync(TestApps.Timeout);
        Assert.Equal(0, demo.Process.ExitCode);
        Assert.Contains("Stopping -> Exited (Stopped, exit code 0)", demo.Output, StringComparison.Ordinal);
    }

    [PythonFact]
    public async Task The_Python_child_is_gone_within_2_seconds_of_its_main_process_being_SIGKILLed()
    {
        using var demo = Demo.Start();
        await TestApps.UntilAsync(() => RunningPid().IsMatch(demo.Output), "nonebot runs");
        var child = int.Parse(RunningPid().Match(demo.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, NativeMethods.kill(demo.Process.Id, NativeMethods.SIGKILL));
        var clock = Stopwatch.StartNew();
        await TestApps.UntilAsync(() => !IsAlive(child) || clock.Elapsed > TimeSpan.FromSeconds(5), "the Python child exits");
        Assert.False(IsAlive(child), "the Python child outlived its main process by 5 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the Python child took {clock.Elapsed} to exit");
    }

    /// <summary>Alive and not a zombie waiting for whoever adopted it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Process 'nonebot': Starting -> Running \(pid (\d+)\)")]
    private static partial Regex RunningPid();

    private sealed class Demo : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        private Demo(Process process) => Process = process;

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static Demo Start()
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(DemoPath);
            info.Environment.Remove("FIRN_PROCESS_NAME");
            info.Environment["FIRN_PYTHON"] = PythonChild.Interpreter;
            var demo = new Demo(Process.Start(info)!);
            demo.Process.OutputDataReceived += (_, e) => demo.Append(e.Data);
            demo.Process.ErrorDataReceived += (_, e) => demo.Append(e.Data);
            demo.Process.BeginOutputReadLine();
            demo.Process.BeginErrorReadLine();
            return demo;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
