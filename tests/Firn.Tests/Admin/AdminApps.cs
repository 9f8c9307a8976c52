using Firn.Tests.Support;

namespace Firn.Tests.Admin;

/// <summary>An app with its admin socket in a directory of its own (removed when the test ends).</summary>
internal sealed class AdminApp : IAsyncDisposable
{
    public const string Name = "admintest";

    private AdminApp(FirnApp app, string directory, TestLog log)
    {
        App = app;
        Directory = directory;
        Log = log;
    }

    public FirnApp App { get; }

    public string Directory { get; }

    public TestLog Log { get; }

    public string SocketPath => App.AdminSocketPath ?? throw new InvalidOperationException("The admin socket did not start.");

    /// <summary>A fresh directory path under /tmp (short: a socket path holds at most 107 bytes); not created.</summary>
    public static string NewDirectory() => Path.Combine("/tmp", "fa-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Creates the app; <paramref name="declare"/> adds its children; it is not started.</summary>
    public static AdminApp Create(Action<FirnApp> declare, int adminLogLines = 1000, bool enableAdmin = true, string? directory = null)
    {
        var log = new TestLog();
        directory ??= NewDirectory();
        var app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = log.Factory,
            StartTimeout = TestApps.Timeout,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            HandleSignals = false,
            SocketDirectory = "/tmp",
            AdminDirectory = directory,
            AppName = Name,
            AdminLogLines = adminLogLines,
            EnableAdmin = enableAdmin,
        });
        declare(app);
        return new AdminApp(app, directory, log);
    }

    public async Task<AdminApp> StartAsync()
    {
        await App.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        return this;
    }

    public Task<AdminTestClient> ConnectAsync() => AdminTestClient.ConnectAsync(SocketPath);

    /// <summary>A shell command child (a real process) that runs <paramref name="script"/>.</summary>
    public static ProcessOptions Shell(string script) => new()
    {
        Executable = "/bin/sh",
        Arguments = ["-c", script],
        Restart = RestartPolicy.Temporary,
        ShutdownTimeout = TimeSpan.FromSeconds(5),
    };

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
