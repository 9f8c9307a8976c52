using Firn.GenericHost.Main;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Firn.Tests.GenericHost;

/// <summary>What AddFirn registers in the main process (this test process is one: it has no child environment).</summary>
public sealed class AddFirnTests
{
    [Fact]
    public void AddFirn_twice_returns_the_same_builder_and_registers_nothing_more()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var first = builder.AddFirn(firn => firn.AddProcess("one", _ => Task.CompletedTask));
        var count = builder.Services.Count;

        var second = builder.AddFirn(firn => firn.AddProcess("two", _ => Task.CompletedTask));
        var third = builder.Services.AddFirn();

        Assert.Same(first, second);
        Assert.Same(first, third);
        Assert.Equal(count, builder.Services.Count);
        Assert.Equal(["one", "two"], first.Processes.Select(p => p.Name));
    }

    [Fact]
    public void Firn_is_the_first_hosted_service_so_it_stops_last()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHostedService<OtherService>();
        builder.AddFirn();

        var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.Equal([typeof(FirnMainService), typeof(OtherService)], hosted);
    }

    [Fact]
    public async Task The_main_process_can_inject_the_app_its_store_RPC_events_and_supervisor()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddFirn();
        await using var services = builder.Services.BuildServiceProvider();

        var app = services.GetRequiredService<FirnApp>();
        Assert.Same(app.SharedMemory, services.GetRequiredService<SharedMemory>());
        Assert.Same(app.Rpc, services.GetRequiredService<RpcEndpoint>());
        Assert.Same(app.Events, services.GetRequiredService<EventBus>());
        Assert.Same(app.Supervisor, services.GetRequiredService<FirnSupervisor>());
        Assert.Null(services.GetService<FirnProcessContext>());
        Assert.False(app.Options.HandleSignals);
    }

    private sealed class OtherService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
