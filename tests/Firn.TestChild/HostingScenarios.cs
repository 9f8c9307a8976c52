using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Firn.TestChild;

/// <summary>Supervision scenarios: exits on command, readiness, stubborn children, output.</summary>
internal static class HostingScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var report = context.App.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        switch (args[0])
        {
            case "obey":
                // Reports its pid, then obeys commands on its active channel addressed to its pid (a command that
                // reaches a later instance, redelivered after a crash, is ignored there):
                // "exit:<pid>:<code>" exits with that code (0: the entry returns), "restart-app:<pid>" and
                // "stop-me:<pid>" make those requests.
                await report.SendAsync("pid=" + pid, stopping);
                while (!stopping.IsCancellationRequested)
                {
                    var command = (string?)await context.ActiveChannel.ReceiveAsync(stopping);
                    var parts = command?.Split(':') ?? [];
                    if (parts.Length < 2 || parts[1] != pid)
                    {
                        continue;
                    }

                    switch (parts[0])
                    {
                        case "exit" when parts[2] == "0":
                            return true;
                        case "exit":
                            Environment.Exit(int.Parse(parts[2], CultureInfo.InvariantCulture));
                            break;
                        case "restart-app":
                            context.RequestApplicationRestart();
                            break;
                        case "stop-me":
                            context.RequestStop();
                            break;
                    }
                }

                break;

            case "echo-obey":
                // Echoes every string from channel args[1] to args[2]; "restart:<pid>" asks the main process to restart
                // this instance, "crash:<pid>" crashes it (both are echoed first).
                await report.SendAsync("pid=" + pid, stopping);
                var input = context.App.GetChannel<string>(args[1]);
                var output = context.App.GetChannel<string>(args[2]);
                await foreach (var message in input.ReadAllAsync(stopping))
                {
                    // Not cancelled by the stop: a message this instance consumed is always echoed.
                    await output.SendAsync(message, CancellationToken.None);
                    if (message == "restart:" + pid)
                    {
                        context.RequestRestart();
                    }
                    else if (message == "crash:" + pid)
                    {
                        Environment.Exit(3);
                    }
                }

                break;

            case "ready-later":
                // Declared with WaitForReadySignal: reports its pid, and signals readiness only when told "go".
                await report.SendAsync("pid=" + pid, stopping);
                while (await context.ActiveChannel.ReceiveAsync(stopping) is not "go")
                {
                }

                context.SignalReady();
                await report.SendAsync("ready", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "restart-once-then-hang":
                // Declared with WaitForReadySignal. The first instance (no marker file args[1] yet) creates the marker,
                // becomes ready and asks to be restarted when told "restart"; every later instance reports its pid and
                // never becomes ready.
                if (!File.Exists(args[1]))
                {
                    await File.WriteAllTextAsync(args[1], pid, stopping);
                    context.SignalReady();
                    while (await context.ActiveChannel.ReceiveAsync(stopping) is not "restart")
                    {
                    }

                    context.RequestRestart();
                }
                else
                {
                    await report.SendAsync("pid=" + pid, stopping);
                }

                await Scenarios.WaitForStop(stopping);
                break;

            case "ignore-stop":
                // Ignores the stop request and SIGTERM, and keeps the process alive with a foreground thread: only SIGKILL ends it.
                using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => signal.Cancel = true))
                {
                    new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = false }.Start();
                    await report.SendAsync("pid=" + pid, stopping);
                    await Task.Delay(Timeout.Infinite, CancellationToken.None);
                }

                break;

            case "print":
                // Writes to both streams and logs: the main process's log must show all of it under this child's name.
                Console.Out.WriteLine("hello stdout");
                Console.Error.WriteLine("hello stderr");
                context.Logger.LogWarning("logged warning");
                context.Logger.LogError(new InvalidOperationException("boom"), "logged error");
                Console.Out.Flush();
                Console.Error.Flush();
                await report.SendAsync("printed", stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            default:
                return false;
        }

        return true;
    }
}
