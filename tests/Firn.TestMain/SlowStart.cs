using Firn;

namespace Firn.TestMain;

/// <summary>
/// "slow-start": eight children that connect but never become ready (Firn.TestChild "ready-later", never told "go"),
/// with a start timeout of two minutes. It prints "state NAME STATE" on every state change and "after-start" if the
/// after-start hooks ever run; the tests send it SIGTERM while the first child is starting.
/// </summary>
internal static class SlowStart
{
    public static async Task<int> RunAsync()
    {
        await using var app = new FirnApp(new FirnAppOptions { StartTimeout = TimeSpan.FromMinutes(2), SocketDirectory = "/tmp" });
        for (var i = 0; i < 8; i++)
        {
            app.AddProcess("s" + i, new ProcessOptions
            {
                Executable = "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "Firn.TestChild.dll"), "ready-later"],
                WaitForReadySignal = true,
                Restart = RestartPolicy.Permanent,
            });
        }

        app.Supervisor!.ProcessStateChanged += (_, change) => Print($"state {change.Name} {change.State}");
        app.OnAfterStart(() => Print("after-start"));
        var code = await app.RunAsync();
        Print("exit " + code);
        return code;
    }

    private static void Print(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
