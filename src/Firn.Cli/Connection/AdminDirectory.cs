using System.Globalization;

namespace Firn.Cli.Connection;

/// <summary>
/// Where running apps put their admin sockets (docs/admin-protocol.md): <c>$XDG_RUNTIME_DIR/firn</c> when that is a
/// directory, else <c>/tmp/firn-&lt;uid&gt;</c>; <c>--admin-dir</c> or <c>FIRN_ADMIN_DIR</c> overrides both.
/// </summary>
internal static class AdminDirectory
{
    public static string Default()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime)
            ? Path.Combine(runtime, "firn")
            : Path.Combine("/tmp", string.Create(CultureInfo.InvariantCulture, $"firn-{CurrentUid()}"));
    }

    /// <summary>
    /// The apps whose sockets are in <paramref name="directory"/>, oldest pid first. A socket of a pid that is no longer
    /// alive is stale: it is removed (when we may) and not listed. A directory the app itself would refuse (see
    /// <see cref="SocketTrust"/>) is refused with exit code 3.
    /// </summary>
    public static IReadOnlyList<AppEndpoint> List(string directory)
    {
        if (!SocketTrust.CheckDirectory(directory))
        {
            return [];
        }

        string[] files;
        try
        {
            files = Directory.GetFiles(directory, "*.admin.sock");
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.NoApp, $"Cannot read the admin directory {directory}: permission denied (it belongs to another user).");
        }

        var apps = new List<AppEndpoint>();
        foreach (var file in files)
        {
            if (AppEndpoint.TryParse(file) is not { } app)
            {
                continue;
            }

            if (IsAlive(app.Pid))
            {
                apps.Add(app);
            }
            else
            {
                RemoveStale(app);
            }
        }

        return [.. apps.OrderBy(a => a.Pid)];
    }

    /// <summary>Removes a stale socket; another user's file, or one already gone, is left to its owner.</summary>
    public static void RemoveStale(AppEndpoint app)
    {
        try
        {
            File.Delete(app.SocketPath);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) is dead for us: its socket no longer answers.
        try
        {
            var stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static string CurrentUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1];
            }
        }

        throw new CliException(ExitCodes.NoApp, "Cannot read this process's uid from /proc/self/status.");
    }
}
