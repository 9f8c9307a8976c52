// The soak: minutes of mixed channel, store, pub/sub and RPC traffic between the main process and its children,
// with children SIGKILLed at random. Every numbered message must arrive (at least once), every acknowledged store
// write must be there, and every numbered publication must reach each subscribed child instance from its first to its
// last; the main process's memory, descriptors and threads are reported as it goes.
//
//   dotnet run -c Release --project tools/Firn.Soak -- --minutes 10 --children 4 --kill-every 5
//
// With --chaos (and --seed K to replay a run), a disruption is at random a SIGKILL, a SIGSTOP/SIGCONT pause or a
// requested restart, and after the traffic the main process's descriptors, threads and memory must come back to their
// level before it (tests/Firn.Tests/Hardening/ChaosSoakTests.cs runs a short one in CI).
//
// Exit code 0: nothing lost, no duplicate beyond the bound, health back to baseline. 1: otherwise (the report says what).
using System.Globalization;
using Firn;
using Firn.Soak;

var settings = SoakSettings.Parse(args);
var app = new FirnApp();
for (var i = 0; i < settings.Children; i++)
{
    app.AddProcess($"worker-{i}", SoakWorker.RunAsync, new ProcessOptions
    {
        Restart = RestartPolicy.Permanent,
        MaxRestarts = int.MaxValue,
        RestartDelay = TimeSpan.FromMilliseconds(100),
        MaxRestartDelay = TimeSpan.FromSeconds(1),
        WaitForReadySignal = true,
    });
}

if (!app.IsMainProcess)
{
    return await app.RunAsync();
}

var ledger = new SoakLedger();
app.Rpc.Register("main.echo", (long n) => n);
await app.Supervisor!.StartAsync();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"Soak: {settings.Children} children, {settings.Duration.TotalMinutes} minutes, a child {(settings.Chaos ? "SIGKILLed, paused or restarted" : "SIGKILLed")} every {settings.KillEvery.TotalSeconds} s, seed {settings.Seed}"));
bool lost, settled;
using (var traffic = new SoakTraffic(app, ledger, settings))
{
    await traffic.RunAsync();
    lost = ledger.Report(Console.Out);
    settled = !settings.Chaos || await traffic.SettleAsync();
    Console.WriteLine($"Health: before the traffic {traffic.Baseline}; after it {traffic.Final}{(settled ? "" : " (not back to the level before it, within fds +" + SoakHealth.DescriptorSlack + ", threads +" + SoakHealth.ThreadSlack + ", RSS +" + (SoakHealth.ResidentSlackKiB / 1024) + " MiB)")}");
}

await app.Supervisor!.StopAsync();
return lost || !settled ? 1 : 0;
