using System.Globalization;

namespace Firn.Cli.Connection;

/// <summary>A running app's admin socket, as named in the admin directory: <c>&lt;app&gt;.&lt;pid&gt;.admin.sock</c>.</summary>
internal sealed record AppEndpoint(string Name, int Pid, string SocketPath)
{
    private const string Suffix = ".admin.sock";

    /// <summary>Reads the app name and pid from a socket's file name; null when the name is not an admin socket's.</summary>
    public static AppEndpoint? TryParse(string path)
    {
        var file = Path.GetFileName(path);
        if (!file.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var stem = file[..^Suffix.Length];
        var dot = stem.LastIndexOf('.');
        if (dot <= 0 || !int.TryParse(stem.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return null;
        }

        return new AppEndpoint(stem[..dot], pid, path);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (pid {Pid})");
}
