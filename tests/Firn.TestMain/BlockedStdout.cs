using System.Diagnostics;
using System.Globalization;
using Firn;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// The "blocked-stdout" scenario: a main process with the default console log and one chatty child ("chatty", this
/// program re-launched, restarted whenever it exits) whose output is forwarded into that log. The test never reads this
/// process's standard output; it reads the status lines written to standard error every 100 ms:
/// <c>status pid=P state=S restarts=N slowest-ms=M threads=T</c>, where M is the longest a <c>GetProcess</c> call took
/// since the previous line.
/// </summary>
internal static class BlockedStdout
{
    public static async Task<int> RunAsync()
    {
        var app = new FirnApp(new FirnAppOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(500), SocketDirectory = "/tmp" });
        app.AddProcess("chatty", ChatAsync, new ProcessOptions
        {
            Restart = RestartPolicy.Permanent,
            RestartDelay = TimeSpan.FromMilliseconds(50),
            MaxRestarts = 100,
            ShutdownTimeout = TimeSpan.FromMilliseconds(500),
            KillTimeout = TimeSpan.FromMilliseconds(500),
        });
        if (app.IsMainProcess)
        {
            app.OnAfterStart(() => new Thread(() => Report(app)) { IsBackground = true, Name = "status reporter" }.Start());
        }

        return await app.RunAsync();
    }

    /// <summary>At once more than a pipe holds (about 400 KiB), then a line every 5 ms.</summary>
    private static async Task ChatAsync(FirnProcessContext context)
    {
        var padding = new string('x', 200);
        try
        {
            for (var i = 0; !context.Stopping.IsCancellationRequested; i++)
            {
                Console.Out.WriteLine($"chatter {i} {padding}");
                if (i > 2000)
                {
                    await Task.Delay(5, context.Stopping);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void Report(FirnApp app)
    {
        // Not Console.Error: .NET serializes every console write on Console.Out, which a blocked stdout holds.
        using var stderr = new StreamWriter(new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, 1)) { AutoFlush = true };
        while (true)
        {
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < 10; i++)
            {
                var watch = Stopwatch.StartNew();
                var status = app.Supervisor!.GetProcess("chatty");
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                GC.KeepAlive(status);
                Thread.Sleep(10);
            }

            var current = app.Supervisor!.GetProcess("chatty");
            using var self = Process.GetCurrentProcess();
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"status pid={current.ProcessId} state={current.State} restarts={current.Restarts} slowest-ms={slowest.TotalMilliseconds:F0} threads={self.Threads.Count}"));
        }
    }
}
