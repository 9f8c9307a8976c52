using System.Globalization;
using System.Net.Sockets;

namespace Firn.Cli.Connection;

/// <summary>Picks the app to talk to: the only one running, or the one <c>--app NAME|PID</c> names.</summary>
internal static class AppLocator
{
    public static async Task<AdminClient> ConnectAsync(string directory, string? selector, CancellationToken cancellationToken)
    {
        var apps = await LiveAppsAsync(directory, cancellationToken);
        var matching = selector is null ? apps : [.. apps.Where(a => Matches(a, selector))];
        if (matching.Count == 1)
        {
            return await AdminClient.ConnectAsync(matching[0], cancellationToken);
        }

        if (apps.Count == 0)
        {
            throw new CliException(ExitCodes.NoApp, $"No Firn app is running (no admin socket in {directory}). Is the app started, with its admin endpoint on, as this user?");
        }

        var list = string.Join("\n", apps.Select(a => "  " + a));
        throw matching.Count == 0
            ? new CliException(ExitCodes.NoApp, $"No running app matches --app {selector}. Running:\n{list}")
            : new CliException(ExitCodes.NoApp, $"{(selector is null ? "Several apps are running" : $"Several apps match --app {selector}")}; choose one with --app NAME or --app PID:\n{list}");
    }

    /// <summary>The apps in the directory that answer; a socket that refuses connections is stale and removed.</summary>
    public static async Task<IReadOnlyList<AppEndpoint>> LiveAppsAsync(string directory, CancellationToken cancellationToken)
    {
        var live = new List<AppEndpoint>();
        foreach (var app in AdminDirectory.List(directory))
        {
            if (await RefusesAsync(app, cancellationToken))
            {
                AdminDirectory.RemoveStale(app);
            }
            else
            {
                live.Add(app);
            }
        }

        return live;
    }

    /// <summary>
    /// <c>--app</c>: all digits is a pid, anything else a name; <c>name:X</c> and <c>pid:N</c> say which (an app named
    /// with digits only is <c>name:123</c>). App names hold no ':'.
    /// </summary>
    private static bool Matches(AppEndpoint app, string selector)
    {
        if (selector.StartsWith("name:", StringComparison.OrdinalIgnoreCase))
        {
            return string.Equals(app.Name, selector[5..], StringComparison.OrdinalIgnoreCase);
        }

        if (selector.StartsWith("pid:", StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(selector.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var given) && app.Pid == given;
        }

        return int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? app.Pid == pid
            : string.Equals(app.Name, selector, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when nothing listens on the socket any more (its pid was reused by another program, or it crashed).</summary>
    private static async Task<bool> RefusesAsync(AppEndpoint app, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(app.SocketPath), cancellationToken);
            return false;
        }
        catch (SocketException ex)
        {
            // Access denied is a live socket of another user's app: not ours to remove.
            return ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable;
        }
    }
}
