using Microsoft.Extensions.DependencyInjection;

namespace Firn.TestHostApp;

/// <summary>A service registered for the child "alpha" only.</summary>
internal sealed class AlphaGreeter
{
    private readonly string _name = "alpha-greeter";

    public string Greet(string who) => $"hello {who} from {_name}";
}

/// <summary>Alpha: answers "alpha.greet" with its own service, and reports a round trip to the main process's "main.echo".</summary>
internal sealed class AlphaWorker(AlphaGreeter greeter, RpcEndpoint rpc, FirnApp app, FirnProcessContext injected) : IFirnProcess
{
    public async Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken)
    {
        await rpc.RegisterAsync("alpha.greet", (string who) => greeter.Greet(who), stoppingToken);
        var echo = await rpc.CallAsync<string>("main.echo", "from-alpha");
        await app.GetChannel<string>("reports").SendAsync($"alpha echo={echo} context={injected.ProcessName} same-context={ReferenceEquals(context, injected)}", stoppingToken);
        await Wait(stoppingToken);
    }

    internal static async Task Wait(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Beta: reports whether alpha's service exists here (it must not), then acts as the scenario says.</summary>
internal sealed class BetaWorker(IServiceProvider services, Scenario scenario) : IFirnProcess
{
    public async Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken)
    {
        if (scenario.Name == "trace")
        {
            // The span current for the entry: the child's process span, though the listener was attached by a hosted service.
            var span = System.Diagnostics.Activity.Current;
            await context.App.GetChannel<string>("reports").SendAsync($"beta span={span?.OperationName ?? "none"} name-tag={span?.GetTagItem("firn.process.name")}", stoppingToken);
        }

        await context.App.GetChannel<string>("reports").SendAsync($"beta has-greeter={services.GetService<AlphaGreeter>() is not null}", stoppingToken);
        switch (scenario.Name)
        {
            case "beta-returns":
                return;
            case "stop-app":
                context.RequestApplicationStop();
                break;
            case "restart-app":
                var starts = await context.App.SharedMemory.IncrementAsync("beta-starts", cancellationToken: stoppingToken);
                await context.App.GetChannel<string>("reports").SendAsync($"beta start {starts}", stoppingToken);
                if (starts == 1)
                {
                    context.RequestApplicationRestart();
                }

                break;
        }

        await AlphaWorker.Wait(stoppingToken);
    }
}
