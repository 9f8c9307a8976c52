using System.Net.Sockets;
using System.Reflection;
using Firn.Hosting;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>
/// The main process's admin socket (docs/admin-protocol.md): a Unix socket of mode 0600 in a private directory, for
/// operators' tools. A client is admitted by the kernel's record of it (<c>SO_PEERCRED</c>): this process's user or
/// root; anyone else gets a permission-denied line and is closed.
/// </summary>
internal sealed partial class AdminEndpoint : IDisposable
{
    public const int ProtocolVersion = 1;

    /// <summary>The most admin connections open at once; the next gets one <c>busy</c> line and is closed.</summary>
    public const int MaxConnections = 64;

    /// <summary>The sockets apps of this process listen on: a second app of the same name and directory gets none.</summary>
    private static readonly HashSet<string> SocketsInUse = new(StringComparer.Ordinal);

    private readonly Socket _listener;
    private readonly AdminDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<AdminConnection> _connections = [];
    private readonly byte[] _hello;
    private int _disposed;

    private AdminEndpoint(string path, Socket listener, AdminServices services, ILogger logger)
    {
        SocketPath = path;
        _listener = listener;
        _logger = logger;
        _dispatcher = new AdminDispatcher(services, logger);
        _hello = AdminJson.Line(w =>
        {
            w.WriteNumber("firnAdmin", ProtocolVersion);
            w.WriteString("app", services.AppName);
            w.WriteNumber("pid", Environment.ProcessId);
            w.WriteNumber("uid", PeerCredentials.CurrentUserId);
            w.WriteString("version", Version);
        });
    }

    public string SocketPath { get; }

    /// <summary>Firn's version, as the hello line names it.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>Starts listening; on a directory that cannot be trusted (or any failure to listen) logs a warning and returns null: the app runs without it.</summary>
    public static AdminEndpoint? TryStart(AdminServices services, string? directory, ILogger logger)
    {
        directory ??= AdminSocketFile.DefaultDirectory();
        if (AdminSocketFile.PrepareDirectory(directory) is { } refusal)
        {
            LogDirectoryRefused(logger, directory, refusal);
            return null;
        }

        var path = AdminSocketFile.SocketPath(directory, services.AppName, Environment.ProcessId);
        try
        {
            SocketDirectory.ValidateSocketPath(path);
        }
        catch (FirnConfigurationException ex)
        {
            LogNotStarted(logger, path, ex.Message);
            return null;
        }

        foreach (var stale in AdminSocketFile.RemoveStale(directory, services.AppName))
        {
            LogRemovedStale(logger, stale);
        }

        lock (SocketsInUse)
        {
            if (!SocketsInUse.Add(path))
            {
                LogNotStarted(logger, path, "another app in this process of the same AppName listens on it; give each app its own AppName or AdminDirectory");
                return null;
            }
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Left by an app of this process that did not stop (no live app here holds it: see SocketsInUse).
            File.Delete(path);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            lock (SocketsInUse)
            {
                SocketsInUse.Remove(path);
            }

            LogNotStarted(logger, path, ex.Message);
            return null;
        }

        var endpoint = new AdminEndpoint(path, listener, services, logger);
        _ = Task.Run(endpoint.AcceptLoopAsync);
        LogListening(logger, path);
        return endpoint;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Dispose();
        try
        {
            File.Delete(SocketPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        lock (SocketsInUse)
        {
            SocketsInUse.Remove(SocketPath);
        }

        AdminConnection[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        foreach (var connection in open)
        {
            connection.Dispose();
        }
    }

    private static string ReadVersion()
    {
        var version = typeof(AdminEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    private async Task AcceptLoopAsync()
    {
        while (await ListenerAccept.NextAsync(_listener, error => LogAcceptFailed(_logger, error), _stopping.Token).ConfigureAwait(false) is { } socket)
        {
            PeerCredentials peer;
            try
            {
                peer = PeerCredentials.Read(socket);
            }
            catch (SocketException)
            {
                socket.Dispose();
                continue;
            }

            if (peer.UserId != PeerCredentials.CurrentUserId && peer.UserId != 0)
            {
                LogRefused(_logger, peer.ProcessId, peer.UserId);
                _ = RefuseAsync(socket, AdminJson.Error(0, AdminErrors.PermissionDenied, $"uid {peer.UserId} may not use this admin socket: only uid {PeerCredentials.CurrentUserId} (the app's user) and root may"));
                continue;
            }

            AdminConnection? connection = null;
            lock (_connections)
            {
                if (_connections.Count < MaxConnections)
                {
                    connection = new AdminConnection(socket, _dispatcher, new AdminClient(peer.ProcessId, peer.UserId), _logger, _stopping.Token);
                    _connections.Add(connection);
                }
            }

            if (connection is null)
            {
                LogBusy(_logger, peer.ProcessId, MaxConnections);
                _ = RefuseAsync(socket, AdminJson.Error(0, AdminErrors.Busy, $"the app has {MaxConnections} admin connections open, the most it takes; close one and try again"));
                continue;
            }

            _ = Task.Run(async () =>
            {
                await connection.RunAsync(_hello).ConfigureAwait(false);
                lock (_connections)
                {
                    _connections.Remove(connection);
                }
            });
        }
    }

    private static async Task RefuseAsync(Socket socket, byte[] line)
    {
        using (socket)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.SendAsync(line, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin socket: {Path}")]
    private static partial void LogListening(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The admin socket was not started: its directory {Directory} cannot be used ({Reason}). The app runs without it")]
    private static partial void LogDirectoryRefused(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The admin socket {Path} was not started: {Reason}. The app runs without it")]
    private static partial void LogNotStarted(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the stale admin socket {Path} (its process is gone)")]
    private static partial void LogRemovedStale(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: accepting a connection failed ({Error}); still listening")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: refused client pid {Pid}: {Max} admin connections are open already")]
    private static partial void LogBusy(ILogger logger, int pid, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin: refused client pid {Pid}: uid {Uid} is neither this process's user nor root")]
    private static partial void LogRefused(ILogger logger, int pid, uint uid);
}
