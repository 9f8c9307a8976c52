using System.Net.Sockets;
using System.Text;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// The main process's listening socket: accepts connections, lets each one do nothing but the handshake
/// until it has proven to be a child this process spawned, then hands its frames to a <see cref="ChildSession"/>.
/// </summary>
internal sealed partial class MainHost : IDisposable
{
    /// <summary>Connections from one process that may be in their handshake at once; more from it are refused at once.</summary>
    public const int MaxPendingConnections = 64;

    /// <summary>The largest frame body accepted before authentication: enough for a Hello, too little to hurt.</summary>
    public const int MaxHandshakeBodyLength = 4096;

    private readonly SocketDirectory _directory;
    private readonly Socket _listener;
    private readonly ChannelServer _channels;
    private readonly FirnAppOptions _options;
    private readonly Func<string, ManagedProcess?> _findProcess;
    private readonly Func<int, bool> _isStartingChild;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<int, int> _pendingByProcess = [];
    private int _pending;

    /// <param name="options">The app's options.</param>
    /// <param name="channels">Where authenticated children's channels go (the built-in ones are opened here, for the Welcome).</param>
    /// <param name="findProcess">The declared child of a name, or null.</param>
    /// <param name="isStartingChild">Whether a pid is a spawned child instance that is waiting for its connection.</param>
    /// <param name="logger">The host's log.</param>
    public MainHost(FirnAppOptions options, ChannelServer channels, Func<string, ManagedProcess?> findProcess, Func<int, bool> isStartingChild, ILogger logger)
    {
        _options = options;
        _channels = channels;
        _findProcess = findProcess;
        _isStartingChild = isStartingChild;
        _logger = logger;
        _directory = SocketDirectory.Create(options.SocketDirectory);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _listener.Bind(new UnixDomainSocketEndPoint(_directory.SocketPath));
            File.SetUnixFileMode(_directory.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _listener.Listen(128);
        }
        catch
        {
            _listener.Dispose();
            _directory.Dispose();
            throw;
        }

        _ = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath => _directory.SocketPath;

    /// <summary>Connections still in their handshake, for tests and diagnostics.</summary>
    public int PendingConnections
    {
        get
        {
            lock (_pendingByProcess)
            {
                return _pending;
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        _directory.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (await ListenerAccept.NextAsync(_listener, LogAcceptFailed, _stopping.Token).ConfigureAwait(false) is { } socket)
        {
            PeerCredentials? peer;
            try
            {
                peer = await AdmitAsync(socket).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The accept loop must outlive any one peer's failure, or every later child is stranded.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogAdmissionFailed(ex);
                peer = null;
            }

            if (peer is not { } credentials)
            {
                socket.Dispose();
                continue;
            }

            if (!TryTakeSlot(credentials.ProcessId))
            {
                LogTooManyPending(credentials.ProcessId, MaxPendingConnections);
                socket.Dispose();
                continue;
            }

            Handshake(socket, credentials);
        }
    }

    private void Handshake(Socket socket, PeerCredentials credentials)
    {
        var connection = new Connection(
            socket,
            MaxHandshakeBodyLength,
            _logger,
            "an unauthenticated peer",
            _options.ConnectionBufferLimit,
            _options.MaxMessageSize + FrameFormat.EnvelopeAllowance + FrameFormat.HeaderSize)
        {
            PollWindow = _options.SocketPollWindow,
        };
        ChildSession? session = null;
        var helloSeen = false;
        var pendingReleased = 0;
        void ReleasePending()
        {
            if (Interlocked.Exchange(ref pendingReleased, 1) == 0)
            {
                ReleaseSlot(credentials.ProcessId);
            }
        }

        connection.Start((kind, body) =>
        {
            if (session is not null)
            {
                session.OnFrame(kind, body);
                return;
            }

            if (kind != FrameKind.Hello || helloSeen)
            {
                throw new ProtocolViolationException($"only one {FrameKind.Hello} frame is allowed before authentication; got {kind}");
            }

            helloSeen = true;
            session = Authenticate(credentials, connection, body);
            ReleasePending();
        });

        var timeout = _options.HandshakeTimeout;
        _ = Task.Delay(timeout, _stopping.Token).ContinueWith(
            _ =>
            {
                if (session is null)
                {
                    connection.Close(ConnectionCloseReason.HandshakeTimeout, $"no valid handshake within {timeout}");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        _ = connection.Closed.ContinueWith(_ => ReleasePending(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private ChildSession? Authenticate(PeerCredentials credentials, Connection connection, ReadOnlySpan<byte> body)
    {
        var (version, name, secret, offered) = Hosting.Handshake.DecodeHello(body);
        if (version != FrameFormat.ProtocolVersion)
        {
            return Refuse(connection, $"protocol version {version} is not supported; this main process speaks {FrameFormat.ProtocolVersion}");
        }

        var process = _findProcess(name);
        if (process is null)
        {
            return Refuse(connection, $"no process named '{name}' is declared");
        }

        var session = process.Accept(Encoding.UTF8.GetBytes(secret), credentials, connection, out var refusal);
        if (session is null)
        {
            return Refuse(connection, refusal!);
        }

        connection.MaxBodyLength = _options.MaxMessageSize + FrameFormat.EnvelopeAllowance;

        Hosting.Handshake.SendWelcome(connection, _channels, session, name, _options, offered);
        process.OnAuthenticated(session);
        return session;
    }

    private ChildSession? Refuse(Connection connection, string reason)
    {
        connection.Send(FrameKind.Reject, Hosting.Handshake.EncodeReject(reason));

        // Let the Reject reach the peer, then drop the connection.
        _ = connection.FlushAndCloseAsync(TimeSpan.FromSeconds(1));
        LogRefused(reason);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Admitting a connection failed; it was closed, and the main process is still listening")]
    private partial void LogAdmissionFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a connection failed ({Error}); still listening")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a connection: {Reason}")]
    private partial void LogRefused(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a connection: {Max} connections from pid {Pid} are already in their handshake")]
    private partial void LogTooManyPending(int pid, int max);
}
