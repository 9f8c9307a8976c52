// A Worker Service whose work runs in two supervised child processes. The same program is the main process and both
// children: "producer" sends jobs on the channel "jobs", "worker" does them and counts them in the shared store, and
// the main process's Reporter logs the count. The children's restart policies and limits come from appsettings.json
// (section "Firn"). Ctrl+C or SIGTERM stops the host: the Reporter first, then the children, Firn last.
using Firn;
using Firn.WorkerService;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    // appsettings.json is found beside the program whatever the working directory (the children inherit it).
    ContentRootPath = AppContext.BaseDirectory,
});

var firn = builder.AddFirn(firn => firn
    .AddProcess<Producer>("producer", configureServices: services => services.AddOptions<ProducerSettings>().BindConfiguration("Producer"))
    .AddProcess<Worker>("worker", configureServices: services => services.AddSingleton<JobHandler>()));

if (firn.IsMainProcess)
{
    builder.Services.AddHostedService<Reporter>();
}

await builder.Build().RunAsync();
