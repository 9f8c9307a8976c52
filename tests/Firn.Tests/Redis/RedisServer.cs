using System.Diagnostics;
using System.Net.Sockets;

namespace Firn.Tests.Redis;

/// <summary>
/// A real <c>redis-server</c> for one test class: on a Unix socket in a temp directory of its own, AOF on with an fsync
/// per write (so an acknowledged write survives a kill), no TCP port; killed at the end. Tests that need it are
/// skipped, with the reason, where redis-server is not installed (apt-get install redis-server).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    public const string Executable = "/usr/bin/redis-server";

    private static readonly Lazy<string?> MissingReason = new(() =>
        File.Exists(Executable) ? null : $"{Executable} is not installed (apt-get install redis-server)");

    private readonly string _directory = Directory.CreateTempSubdirectory("firn-redis-").FullName;
    private Process? _process;

    /// <summary>Why Redis tests cannot run here, or <see langword="null"/> if they can.</summary>
    public static string? Missing => MissingReason.Value;

    public string SocketPath => Path.Combine(_directory, "redis.sock");

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => SocketPath;

    /// <summary>
    /// Options for an app of its own on this server: a prefix no other app of the test process uses, and the given
    /// host timeout (else the default).
    /// </summary>
    public FirnRedisOptions Options(string? prefix = null, TimeSpan? hostTimeout = null) => new()
    {
        Configuration = Configuration,
        Prefix = prefix ?? "test-" + Guid.NewGuid().ToString("N")[..12],
        ConnectTimeout = TimeSpan.FromSeconds(5),
        OperationTimeout = TimeSpan.FromSeconds(10),
        HostTimeout = hostTimeout ?? new FirnRedisOptions { Configuration = Configuration }.HostTimeout,
    };

    public Task InitializeAsync() => Missing is null ? StartAsync() : Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Starts the server (again, after <see cref="KillAsync"/>: the same socket, the same AOF) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[]
        {
            "--port", "0", "--unixsocket", SocketPath, "--unixsocketperm", "700", "--dir", _directory,
            "--appendonly", "yes", "--appendfsync", "always", "--save", string.Empty, "--daemonize", "no", "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + Support.TestApps.Timeout;
        while (!await AnswersAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not start on {SocketPath} (exited: {_process.HasExited}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server at once (SIGKILL: what was acknowledged is in the AOF, nothing else is flushed).</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
            File.Delete(SocketPath);
        }
    }

    /// <summary>Stops the server (SIGSTOP): it keeps its socket and its connections and answers nothing, as a hung server does.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private async Task<bool> AnswersAsync()
    {
        if (!File.Exists(SocketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            await socket.SendAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether the app's store answers (Redis is reachable from it); a Redis failure reads as false.</summary>
    public static bool StoreWorks(FirnApp app)
    {
        try
        {
            app.SharedMemory.Get("probe", 0L);
            return true;
        }
        catch (StoreException)
        {
            return false;
        }
    }
}

/// <summary>A fact that is skipped, with the reason, where redis-server is not installed.</summary>
internal sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
