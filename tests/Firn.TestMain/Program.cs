// A Firn main process for the tests that must kill or signal a real main process. It declares one child of each
// kind, prints "pids=<name>:<pid>,..." once all are running, and runs until it is stopped or killed:
//   firn     another Firn program (Firn.TestChild, idle)
//   inproc   this program re-launched, with an entry that stops when asked
//   stubborn this program re-launched, with an entry that ignores every stop and a foreground thread
//   command  an external command (sleep), started through setpriv when it is installed
//   with the argument "blocked-stdout" it runs BlockedStdout's scenario instead, with "slow-start" SlowStart's, and with
//   "redis-host ..." one host of the two-hosts Redis test (RedisHost), with "redis-rpc-host ..." one host of the
//   RPC-across-hosts Redis test (RedisRpcHost), and with "redis-channel ..." a host of the Redis channel tests
//   (RedisChannelHost).
using System.Globalization;
using Firn;

if (args is ["redis-host", var configuration, var prefix, var host, var count])
{
    return await Firn.TestMain.RedisHost.RunAsync(configuration, prefix, host, Firn.TestMain.RedisHost.Count(count));
}

if (args is ["redis-rpc-host", var rpcConfiguration, var rpcPrefix, var rpcHost, var hostTimeoutMs])
{
    return await Firn.TestMain.RedisRpcHost.RunAsync(rpcConfiguration, rpcPrefix, rpcHost, hostTimeoutMs);
}

if (args is ["redis-channel", var channelConfiguration, var channelPrefix, var channelHost, var mode])
{
    return await Firn.TestMain.RedisChannelHost.RunAsync(channelConfiguration, channelPrefix, channelHost, mode);
}

if (args is ["slow-start"])
{
    return await Firn.TestMain.SlowStart.RunAsync();
}

if (args is ["blocked-stdout", ..])
{
    return await BlockedStdout.RunAsync();
}

var app = new FirnApp(new FirnAppOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(500), SocketDirectory = "/tmp" });
var fast = new ProcessOptions { Restart = RestartPolicy.Temporary, ShutdownTimeout = TimeSpan.FromMilliseconds(500), KillTimeout = TimeSpan.FromMilliseconds(500) };
app.AddProcess("firn", new ProcessOptions
{
    Restart = RestartPolicy.Temporary,
    Executable = "dotnet",
    Arguments = [Path.Combine(AppContext.BaseDirectory, "Firn.TestChild.dll"), "idle"],
    ShutdownTimeout = TimeSpan.FromMilliseconds(500),
});
app.AddProcess("inproc", async context => await Task.Delay(Timeout.Infinite, context.Stopping), fast);
app.AddProcess(
    "stubborn",
    _ =>
    {
        new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = false }.Start();
        return Task.Delay(Timeout.Infinite, CancellationToken.None);
    },
    fast);
app.AddCommand("command", new ProcessOptions { Executable = "sleep", Arguments = ["600"], Restart = RestartPolicy.Temporary, ShutdownTimeout = TimeSpan.FromMilliseconds(500) });

app.OnAfterStart(() =>
{
    var pids = app.Supervisor!.GetProcesses().Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}:{p.ProcessId}"));
    Console.Out.WriteLine("pids=" + string.Join(',', pids));
    Console.Out.Flush();
});

return await app.RunAsync();
