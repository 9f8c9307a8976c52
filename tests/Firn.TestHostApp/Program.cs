// A Firn application on the Generic Host, for the tests of Firn.Hosting: the same program is the main process and
// its two children, "alpha" and "beta" (IFirnProcess entries resolved from each child's container). The main process
// prints what the tests wait for ("pids=...", "started ...", "state ...", "report ...", "store-in-stop=..."), and
// reads commands from standard input: "stop" calls StopApplication, "call-alpha" calls an RPC handler in alpha.
// The first argument picks a scenario:
//   run           (default) as above
//   stop-app      beta asks the main process to stop the application once it runs
//   beta-returns  beta's entry returns at once
//   restart-app   beta's first instance asks the main process to restart the application
//   budget        HostOptions.ShutdownTimeout is 5 s, shorter than Firn's stop bound: start-up fails
//   trace         every process attaches an ActivityListener to "Firn" in a hosted service (as OpenTelemetry does);
//                 beta reports the span current for its entry
using Firn;
using Firn.TestHostApp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var scenario = args.FirstOrDefault() ?? "run";
var builder = Host.CreateApplicationBuilder();
if (scenario == "budget")
{
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
}

var quick = new ProcessOptions { Restart = RestartPolicy.Temporary, ShutdownTimeout = TimeSpan.FromSeconds(5) };
var firn = builder.AddFirn(firn => firn
    .UseOptions(new FirnAppOptions { SocketDirectory = "/tmp", StopTimeout = TimeSpan.FromSeconds(20), StartTimeout = TimeSpan.FromSeconds(60) })
    .AddProcess<AlphaWorker>("alpha", quick, services => services.AddSingleton<AlphaGreeter>())
    .AddProcess<BetaWorker>("beta", quick));

// Idempotent: the same builder, nothing registered twice.
if (!ReferenceEquals(firn, builder.AddFirn()))
{
    throw new InvalidOperationException("AddFirn returned another builder.");
}

if (firn.IsMainProcess)
{
    builder.Services.AddHostedService<MainProbe>();
}

if (scenario == "trace")
{
    builder.Services.AddHostedService<SpanListener>();
}

builder.Services.AddSingleton(new Scenario(scenario));
builder.Build().Run();
