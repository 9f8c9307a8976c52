// The seed example of LiteyukiBot's process communication, with the child "nonebot" written in Python
// (python/nonebot_child.py, on the firn package of clients/python). Samples/Firn.Demo is the same demo in C#.
//
// The main process starts the Python child "nonebot". Every 3 seconds it sends a string on "nonebot-passive"
// and another on "nonebot-active". In the child, a passive handler (filter: "is a string") logs
// "Passive receive: ..." and an active loop logs "Active receive: ...".
//
// Shared memory: the child counts the active messages in the shared store ("active-count") and publishes
// an event on "nonebot.heard"; the main process subscribes to "nonebot.*" and logs it with the counter.
// After its second active message the child asks the main process over a channel to restart it, once.
//
// The interpreter is python3 on PATH, or /usr/bin/python3 if only that one has msgpack, or FIRN_PYTHON; it needs
// msgpack (Debian: apt-get install python3-msgpack).
using Firn;
using Microsoft.Extensions.Logging;

var app = new FirnApp();

app.AddPythonProcess("nonebot", "nonebot_child", pythonPath: [Path.Combine(AppContext.BaseDirectory, "python"), PythonClient.Directory()]);

app.OnAfterStart(async stopping =>
{
    var passive = app.GetChannel<object?>("nonebot-passive");
    var active = app.GetChannel<object?>("nonebot-active");
    app.GetChannel<string>("control").OnReceive(
        async request =>
        {
            var name = request["restart ".Length..];
            app.Logger.LogInformation("Restarting '{Name}' on its request", name);
            await app.Supervisor!.RestartProcessAsync(name, stopping);
            app.Logger.LogInformation("'{Name}' restarted (pid {Pid})", name, app.Supervisor!.GetProcess(name).ProcessId);
        },
        filter: request => request.StartsWith("restart ", StringComparison.Ordinal));

    using var events = app.SharedMemory.Subscribe<string>("nonebot.*", (topic, data) =>
        app.Logger.LogInformation("Event {Topic}: {Data} (shared counter: {Count})", topic, data, app.SharedMemory.Get<long>("active-count")));

    while (!stopping.IsCancellationRequested)
    {
        await passive.SendAsync("I am main process passive", stopping);
        await active.SendAsync("I am main process active", stopping);
        await Task.Delay(TimeSpan.FromSeconds(3), stopping);
    }
});

return await app.RunAsync();

/// <summary>Where the firn package is: FIRN_PYTHON_CLIENT, or clients/python above this program's folder in the repository.</summary>
internal static class PythonClient
{
    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable("FIRN_PYTHON_CLIENT") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "clients", "python");
            if (File.Exists(Path.Combine(candidate, "firn", "__init__.py")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("clients/python (the firn package) was not found above " + AppContext.BaseDirectory + "; set FIRN_PYTHON_CLIENT.");
    }
}
