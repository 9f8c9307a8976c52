// Several hosts sharing a work queue and a counter through Redis (docs/redis.md). On one machine:
//
//   redis-server                                                   # a local Redis on localhost:6379
//   dotnet run --project samples/Firn.Cluster -- --host east       # in one terminal
//   dotnet run --project samples/Firn.Cluster -- --host west       # in another
//
// Each host is a main process on Redis (UseRedis) with one child, "worker". The main process is the producer: it
// sends numbered jobs on the channel "jobs", the work queue. The workers take jobs, count each in the shared counter
// "jobs.done" (SharedMemory.IncrementAsync: atomic across every process of every host) and log what they did. Every few
// seconds the main process logs every host's processes, as the process registry shows them. Ctrl+C stops a host cleanly.
//
// Options: --host NAME (required: the main process's name, unique per host), --redis CONFIGURATION (default
// localhost:6379; a path is a Unix socket), --prefix PREFIX (default firn-cluster), --jobs N (jobs this host produces,
// default 20), --interval MS (between two jobs, default 500).
using System.Globalization;
using Firn;
using Firn.Cluster;
using Microsoft.Extensions.Logging;

var host = Option("--host") ?? Environment.GetEnvironmentVariable("FIRN_CLUSTER_HOST");
if (host is null)
{
    await Console.Error.WriteLineAsync("Usage: Firn.Cluster --host NAME [--redis CONFIGURATION] [--prefix PREFIX] [--jobs N] [--interval MS]");
    return 2;
}

var jobCount = int.Parse(Option("--jobs") ?? "20", CultureInfo.InvariantCulture);
var interval = TimeSpan.FromMilliseconds(int.Parse(Option("--interval") ?? "500", CultureInfo.InvariantCulture));
await using var app = new FirnApp(new FirnAppOptions { MainProcessName = host, AppName = "Firn.Cluster." + host }.UseRedis(new FirnRedisOptions
{
    Configuration = Option("--redis") ?? "localhost:6379",
    Prefix = Option("--prefix") ?? "firn-cluster",
}));

app.AddProcess("worker", async context =>
{
    var jobs = context.App.GetChannel<Job>("jobs");
    while (!context.Stopping.IsCancellationRequested)
    {
        var job = await jobs.ReceiveAsync(context.Stopping);
        var done = await context.App.SharedMemory.IncrementAsync("jobs.done", cancellationToken: context.Stopping);
        context.Logger.LogInformation("Worker on {Host} did job {From}-{Number} (jobs done on every host: {Done})", host, job.From, job.Number, done);
    }
});

app.OnAfterStart(async stopping =>
{
    var jobs = app.GetChannel<Job>("jobs");
    for (var number = 1; number <= jobCount && !stopping.IsCancellationRequested; number++)
    {
        await jobs.SendAsync(new Job(host, number), stopping);
        await Task.Delay(interval, stopping);
    }

    app.Logger.LogInformation("Host {Host} produced {Count} jobs", host, jobCount);
    while (!stopping.IsCancellationRequested)
    {
        var processes = app.Supervisor!.GetProcesses().Select(p => $"{p.Name} on {p.Host}: {p.State}");
        app.Logger.LogInformation("Processes of every host: {Processes}", string.Join("; ", processes));
        await Task.Delay(TimeSpan.FromSeconds(5), stopping);
    }
});

return await app.RunAsync();

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
