namespace Firn.TestChild.Contracts;

/// <summary>
/// The "contract" scenario: the child runs the contract operations the test sends it on "contract-{name}-commands",
/// each as soon as it arrives and concurrently with the others (a test may start an operation that blocks, then one
/// that releases it), and sends each outcome back on "contract-{name}-replies".
/// </summary>
public static class ContractScenarios
{
    /// <summary>The scenario's name (the child's first argument).</summary>
    public const string Name = "contract";

    /// <summary>Where the test sends the child's commands.</summary>
    /// <param name="process">The child's name.</param>
    /// <returns>The channel's name.</returns>
    public static string CommandChannel(string process) => $"contract-{process}-commands";

    /// <summary>Where the child sends its replies.</summary>
    /// <param name="process">The child's name.</param>
    /// <returns>The channel's name.</returns>
    public static string ReplyChannel(string process) => $"contract-{process}-replies";

    /// <summary>Runs the scenario if <paramref name="args"/> names it.</summary>
    /// <param name="args">The child's arguments.</param>
    /// <param name="context">The child's context.</param>
    /// <returns>Whether it was this scenario.</returns>
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        if (args[0] != Name)
        {
            return false;
        }

        var app = context.App;
        var operations = new ContractOperations(app);
        var commands = app.GetChannel<ContractCommand>(CommandChannel(context.ProcessName));
        var replies = app.GetChannel<ContractReply>(ReplyChannel(context.ProcessName));
        commands.OnReceive(command =>
        {
            // Not awaited: the next command must not wait for this one.
            _ = Task.Run(async () => await replies.SendAsync(await operations.ReplyAsync(command)));
        });
        await app.GetChannel<string>("report-" + context.ProcessName).SendAsync("ready", context.Stopping);
        await Scenarios.WaitForStop(context.Stopping);
        return true;
    }
}
