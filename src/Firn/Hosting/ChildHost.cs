using System.Net.Sockets;
using Firn.Channels;
using Firn.Failures;
using Firn.Routing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// A child's end of the connection to the main process: the handshake, control (ready, stop, restart requests), and
/// dispatch of the frames the main process sends to the features' remote backends, which register their frame kinds:
/// the channels' <see cref="RemoteRouterLink"/>, the store, pub/sub and RPC.
/// </summary>
internal sealed partial class ChildHost : IMainConnection
{
    private readonly ChildEnvironment _environment;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The features' handlers by frame kind (an array: channel deliveries are dispatched through it).</summary>
    private readonly FrameHandler?[] _featureHandlers = new FrameHandler?[byte.MaxValue + 1];
    private Connection? _connection;
    private MessageSizeLimit? _messageLimit;
    private Capabilities _offered = CapabilityList.Supported;
    private int _readySignalled;
    private bool _stopRequested;
    private bool _orphaned;

    /// <param name="environment">Who this child is and where the main process listens.</param>
    /// <param name="channels">This process's channels.</param>
    /// <param name="callTimeout">How long a round trip other than opening a channel (a listing) waits for the main process (<see cref="FirnAppOptions.CallTimeout"/>).</param>
    /// <param name="logger">Where connection events go.</param>
    public ChildHost(ChildEnvironment environment, ChannelRegistry channels, TimeSpan callTimeout, ILogger logger)
    {
        _environment = environment;
        _logger = logger;
        RouterLink = new RemoteRouterLink(this, channels, callTimeout);
    }

    public string ProcessName => _environment.ProcessName;

    /// <summary>How this child's channels reach the router in the main process.</summary>
    public RemoteRouterLink RouterLink { get; }

    /// <inheritdoc />
    public Connection? Connection => _connection;

    /// <summary>Fires when the main process asks this child to stop, or the connection is lost.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Raised once when the connection to the main process is lost (after channels are closed), with the reason.</summary>
    public event Action<DisconnectReason>? ConnectionLost;

    /// <summary>Completes when the connection to the main process closes.</summary>
    public Task<ConnectionCloseReason> Disconnected => _connection?.Closed ?? Task.FromResult(ConnectionCloseReason.LocallyClosed);

    /// <summary>
    /// Why the connection to the main process is closed, once it is: as soon as it starts closing, or this process has
    /// begun to close it (see <see cref="FlushAndCloseAsync"/>), so a send that was refused always has a reason.
    /// </summary>
    public DisconnectReason DisconnectReason => DisconnectReasons.From(_connection?.CloseReason ?? ConnectionCloseReason.LocallyClosed);

    /// <summary>Whether the connection to the main process is closing or closed (or not open yet).</summary>
    public bool IsConnectionClosed => _connection?.IsClosing ?? true;

    /// <summary>The error of an operation that found the connection to the main process closed: "<paramref name="what"/>: the connection … is closed (why)."</summary>
    public FirnDisconnectedException DisconnectedError(string what) => FirnErrors.Disconnected(DisconnectReason, what);

    public async Task ConnectAsync(MessageSizeLimit messageLimit, int bufferLimit, TimeSpan timeout, TimeSpan socketPollWindow)
    {
        _offered = CapabilityList.Offered(socketPollWindow);
        _messageLimit = messageLimit;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            ConnectWithin(socket, timeout);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            socket.Dispose();
            throw FirnErrors.CannotConnect(ProcessName, _environment.SocketPath, ex);
        }

        _connection = new Connection(socket, messageLimit.Bytes + FrameFormat.EnvelopeAllowance, _logger, "the main process", bufferLimit)
        {
            PollWindow = socketPollWindow,
        };
        _connection.Start(OnFrame);
        _ = _connection.Closed.ContinueWith(OnDisconnected, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _connection.Send(FrameKind.Hello, Handshake.EncodeHello(ProcessName, _environment.Secret, _offered));

        var finished = await Task.WhenAny(_welcomed.Task, Task.Delay(timeout, CancellationToken.None)).ConfigureAwait(false);
        if (finished != _welcomed.Task)
        {
            _connection.Close(ConnectionCloseReason.HandshakeTimeout);
            throw FirnErrors.HandshakeNotAnswered(ProcessName, timeout);
        }

        await _welcomed.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Connects on this thread, waiting at most <paramref name="timeout"/>. A Unix socket connects at once unless the
    /// listener's backlog is full; Linux then bounds the wait by the socket's send timeout, which is set for the connect
    /// and cleared after it. The socket stays in blocking mode: a non-blocking connect would hand it to .NET's
    /// asynchronous engine, and every later read would go through that engine's thread (see Connection).
    /// </summary>
    private void ConnectWithin(Socket socket, TimeSpan timeout)
    {
        socket.SendTimeout = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_environment.SocketPath));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain or SocketError.TimedOut)
        {
            throw new TimeoutException($"the connection was not accepted within {timeout}", ex);
        }

        socket.SendTimeout = 0;
    }

    /// <summary>Whether the main process asked this child to stop (or SIGTERM did), as opposed to losing the connection.</summary>
    public bool StopRequested => Volatile.Read(ref _stopRequested);

    /// <summary>Whether the main process is gone (see <see cref="ParentWatch"/>).</summary>
    public bool IsOrphaned => Volatile.Read(ref _orphaned);

    /// <summary>Tells the main process that this child is ready; only the first call sends anything.</summary>
    public void SignalReady()
    {
        if (Interlocked.Exchange(ref _readySignalled, 1) == 0)
        {
            _connection?.Send(FrameKind.Ready, default);
        }
    }

    /// <summary>The main process died: stop as after a lost connection.</summary>
    public void OnOrphaned()
    {
        Volatile.Write(ref _orphaned, true);
        SafeCancellation.Cancel(_stopping, _logger, $"child '{ProcessName}' stopping");
    }

    /// <summary>Registers the handler of a feature's frame kind (channels, store, pub/sub, RPC); call before connecting.</summary>
    public void Register(FrameKind kind, FrameHandler handler)
    {
        if (_featureHandlers[(byte)kind] is not null)
        {
            throw new ArgumentException($"A handler of frame kind {kind} is already registered.", nameof(kind));
        }

        _featureHandlers[(byte)kind] = handler;
    }

    /// <summary>Queues a frame to the main process; returns <see langword="false"/> if the connection is closed.</summary>
    public bool Send(FrameKind kind, ReadOnlySpan<byte> body) => _connection?.Send(kind, body) ?? false;

    /// <summary>Queues a frame whose body is <paramref name="header"/> followed by <paramref name="payload"/>; returns <see langword="false"/> if the connection is closed.</summary>
    public bool Send(FrameKind kind, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) => _connection?.Outbound.Append(kind, header, payload) ?? false;

    /// <summary>
    /// Queues a frame of the public API (a call, a result, a stream item, a publication, a store request) once there is
    /// room for it in this child's own buffer (see <see cref="OutboundBuffer.AppendWhenRoomAsync"/>); completes with
    /// <see langword="false"/> if the connection is closed.
    /// </summary>
    public ValueTask<bool> SendWhenRoomAsync(FrameKind kind, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, CancellationToken cancellationToken) =>
        _connection?.Outbound.AppendWhenRoomAsync(kind, header, payload, cancellationToken) ?? ValueTask.FromResult(false);

    /// <summary>Adds to a per-id counter frame (credits, acknowledgements) that goes out once per batch.</summary>
    public void AddCounter(FrameKind kind, uint id, uint count) => _connection?.Outbound.AddCounter(kind, id, count);

    public void SendControl(ControlRequest request)
    {
        Span<byte> body = [(byte)request];
        _connection?.Send(FrameKind.Control, body);
    }

    /// <summary>Stops from inside the child (SIGTERM): the same as a stop request from the main process.</summary>
    public void RequestLocalStop()
    {
        Volatile.Write(ref _stopRequested, true);
        SafeCancellation.Cancel(_stopping, _logger, $"child '{ProcessName}' stopping");
    }

    /// <summary>Completes once everything queued so far is written to the socket; false if the connection closed first.</summary>
    public Task<bool> FlushAsync() => _connection?.Outbound.WaitUntilWrittenAsync() ?? Task.FromResult(false);

    public Task FlushAndCloseAsync(TimeSpan timeout) => _connection?.FlushAndCloseAsync(timeout) ?? Task.CompletedTask;

    private void OnFrame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        switch (kind)
        {
            case FrameKind.Welcome:
                var (version, mainLimit, window, pendingBytesLimit) = Handshake.DecodeWelcome(body);
                if (version != FrameFormat.ProtocolVersion)
                {
                    throw new ProtocolViolationException($"the main process speaks protocol version {version}; this child speaks {FrameFormat.ProtocolVersion}");
                }

                if (mainLimit is < FirnAppOptions.MinMaxMessageSize or > FirnAppOptions.MaxMaxMessageSize)
                {
                    throw new ProtocolViolationException($"the main process named a message size limit of {mainLimit} bytes; the allowed range is {FirnAppOptions.MinMaxMessageSize} to {FirnAppOptions.MaxMaxMessageSize}");
                }

                // The main process's limit holds on this connection, whatever this child was configured with: send no
                // message it would refuse, and read every message it may deliver.
                _messageLimit!.LowerTo(mainLimit);
                _connection!.MaxBodyLength = Math.Max(_connection.MaxBodyLength, mainLimit + FrameFormat.EnvelopeAllowance);

                // The main process counts this child's waiting bytes against its own limit: use that one. Until the
                // main process reads them they wait in this child's own buffer, so they must also fit there, leaving
                // its control reserve (this child may have been configured with a smaller ConnectionBufferLimit).
                _connection.Capabilities = Handshake.DecodeWelcomeCapabilities(body, _offered);
                RouterLink.OnWelcome(window, Math.Min(pendingBytesLimit, _connection.Outbound.FlowLimit), Handshake.DecodeWelcomeChannels(body));
                _welcomed.TrySetResult();
                break;
            case FrameKind.Reject:
                _welcomed.TrySetException(FirnErrors.HandshakeRefused(ProcessName, Handshake.DecodeReject(body)));
                break;
            case FrameKind.Ping:
                _connection?.Send(FrameKind.Pong, default);
                break;
            case FrameKind.Stop:
                LogStopRequested(ProcessName);

                // Cancellation callbacks are user code: run them off the read loop.
                _ = Task.Run(RequestLocalStop);
                break;
            default:
                var handler = _featureHandlers[(byte)kind] ?? throw new ProtocolViolationException($"unexpected frame kind {kind} from the main process");
                handler(kind, body);
                break;
        }
    }

    private void OnDisconnected(Task<ConnectionCloseReason> closed)
    {
        var reason = DisconnectReasons.From(closed.Result);
        _welcomed.TrySetException(FirnErrors.ClosedDuringHandshake(reason));
        RouterLink.OnDisconnected(reason);
        ConnectionLost?.Invoke(reason);
        SafeCancellation.Cancel(_stopping, _logger, $"child '{ProcessName}' stopping");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Child '{Process}' was asked to stop")]
    private partial void LogStopRequested(string process);
}
