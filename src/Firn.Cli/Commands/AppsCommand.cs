using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Firn.Cli.Connection;
using Firn.Cli.Rendering;

namespace Firn.Cli.Commands;

/// <summary><c>apps</c>: the running apps firnctl can see (what --app chooses from).</summary>
internal static class AppsCommand
{
    public static Command Create()
    {
        var command = new Command("apps", "List the running Firn apps whose admin sockets firnctl can see.");
        Global.Safe(command, async (parse, ct) =>
        {
            var directory = Global.Directory(parse);
            var apps = await AppLocator.LiveAppsAsync(directory, ct);
            if (parse.GetValue(Global.Json))
            {
                Output.Json(new JsonObject
                {
                    ["apps"] = new JsonArray([.. apps.Select(a => new JsonObject { ["name"] = a.Name, ["pid"] = a.Pid, ["socket"] = a.SocketPath })]),
                });
                return ExitCodes.Ok;
            }

            var table = new TableView("APP", "PID", "SOCKET") { RightAligned = new HashSet<string> { "PID" } };
            foreach (var app in apps)
            {
                table.Add(app.Name, app.Pid.ToString(CultureInfo.InvariantCulture), app.SocketPath);
            }

            Output.Table(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
