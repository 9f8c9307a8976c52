namespace Firn.WebApi;

/// <summary>
/// The child "calculator": serves the RPC methods the web endpoints call, until it is stopped. It is declared with
/// <see cref="ProcessOptions.WaitForReadySignal"/>, so the main process sees it Running (and healthy) only once its
/// methods are registered.
/// </summary>
internal sealed class Calculator(ILogger<Calculator> logger) : IFirnProcess
{
    /// <summary>The RPC method that adds two numbers.</summary>
    public const string Add = "calculator.add";

    /// <summary>The RPC method that divides two numbers (a zero divisor throws, and the caller sees it).</summary>
    public const string Divide = "calculator.divide";

    public async Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken)
    {
        using var add = await context.App.Rpc.RegisterAsync(Add, (long a, long b) => checked(a + b), stoppingToken);
        using var divide = await context.App.Rpc.RegisterAsync(Divide, (long a, long b) => a / b, stoppingToken);
        context.SignalReady();
        logger.LogInformation("Serving {Add} and {Divide}", Add, Divide);
        // Serve until stopped (a cancellation at stop counts as a clean return).
        await Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
