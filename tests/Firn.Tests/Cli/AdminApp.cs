using Firn.Tests.Support;

namespace Firn.Tests.Cli;

/// <summary>
/// tests/Firn.TestAdminApp run as a real main process with its admin socket in a directory of the test's own (so other
/// apps running on the machine are not seen). Disposing kills it and its children and removes the directory.
/// </summary>
internal sealed class AdminApp : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private AdminApp(ProgramProcess process, string directory, string name, bool ownsDirectory)
    {
        Process = process;
        Directory = directory;
        Name = name;
        _ownsDirectory = ownsDirectory;
    }

    public ProgramProcess Process { get; }

    public string Directory { get; }

    public string Name { get; }

    public int Pid => Process.Process.Id;

    public string SocketPath => Path.Combine(Directory, $"{Name}.{Pid}.admin.sock");

    /// <summary>A directory for admin sockets that does not exist yet (the app creates it, mode 0700).</summary>
    public static string NewDirectory() => Path.Combine("/tmp", "firnctl-test-" + Guid.NewGuid().ToString("N")[..10]);

    public static async Task<AdminApp> StartAsync(string name = "CliTest", string? directory = null)
    {
        var ownsDirectory = directory is null;
        directory ??= NewDirectory();
        var process = ProgramProcess.Start(Path.Combine(AppContext.BaseDirectory, "Firn.TestAdminApp.dll"), [directory, name]);
        var app = new AdminApp(process, directory, name, ownsDirectory);
        try
        {
            await process.WaitForLineAsync("ready");
            await TestApps.UntilAsync(() => File.Exists(app.SocketPath), $"the app's admin socket {app.SocketPath} exists");
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
