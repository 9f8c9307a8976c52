// firnctl: the operator's view of a running Firn application over its admin socket (docs/firnctl.md,
// docs/admin-protocol.md). Exit codes: Firn.Cli.ExitCodes.
using System.CommandLine;
using Firn.Cli;
using Firn.Cli.Commands;
using Firn.Cli.Rendering;

var root = new RootCommand("firnctl: see and control a running Firn application (processes, logs, channels, store, RPC).")
{
    Global.App,
    Global.AdminDir,
    Global.Json,
};
foreach (var command in ProcessCommands.Create().Concat(ControlCommands.Create()))
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(ChannelsCommand.Create());
root.Subcommands.Add(TopCommand.Create());
root.Subcommands.Add(StoreCommands.Create());
root.Subcommands.Add(SubCommand.Create());
root.Subcommands.Add(RpcCommands.Create());
root.Subcommands.Add(AppsCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Output.Error(error.Message);
    }

    Console.Error.WriteLine("Try 'firnctl --help'.");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
