// The soak: minutes of mixed channel, store, pub/sub and RPC traffic between the main process and its children,
// with children SIGKILLed at random. Every numbered message must arrive (at least once), every acknowledged store
// write must be there, and every numbered publication must reach each subscribed child instance from its first to its
// last; the main process's memory, descriptors and threads are reported as it goes.
//
//   dotnet run -c Release --project tools/Firn.Soak -- --minutes 10 --children 4 --kill-every 5
//
// Exit code 0: nothing lost. 1: something was lost (the report says what). Not run in CI.
using System.Globalization;
using Firn;
using Firn.Hosting;
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
await app.StartAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Soak: {settings.Children} children, {settings.Duration.TotalMinutes} minutes, a child SIGKILLed every {settings.KillEvery.TotalSeconds} s"));
using (var traffic = new SoakTraffic(app, ledger, settings))
{
    await traffic.RunAsync();
}

var lost = ledger.Report(Console.Out);
await app.StopAsync();
return lost ? 1 : 0;
