
namespace Firn.TestChild;

/// <summary>What a test child does, chosen by its first argument. Results go back to the test on channel "report-{name}".</summary>
internal static class Scenarios
{
    /// <summary>Each feature's scenarios live in their own class; the first that knows the name runs it.</summary>
    private static readonly Func<string[], FirnProcessContext, Task<bool>>[] Features =
    [
        ChannelScenarios.TryRunAsync,
        ChannelRegistryScenarios.TryRunAsync,
        StorageScenarios.TryRunAsync,
        HostingScenarios.TryRunAsync,
        RpcScenarios.TryRunAsync,
        HardeningScenarios.TryRunAsync,
        DeadlineScenarios.TryRunAsync,
        NameScenarios.TryRunAsync,
        LargeMessageScenarios.TryRunAsync,
        LargeApiScenarios.TryRunAsync,
        DisconnectScenarios.TryRunAsync,
        Contracts.ContractScenarios.TryRunAsync,
        TraceScenarios.TryRunAsync,
        FlowScenarios.TryRunAsync,
    ];

    public static async Task RunAsync(string[] args, FirnProcessContext context)
    {
        foreach (var feature in Features)
        {
            if (await feature(args, context))
            {
                return;
            }
        }

        throw new ArgumentException($"Unknown scenario '{args[0]}'.");
    }

    /// <summary>Waits until the child is asked to stop.</summary>
    public static async Task WaitForStop(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
