using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Firn.Channels;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// A child's end of the connection to the main process: the handshake, the child's <see cref="IRouterLink"/>
/// (channel operations become frames), and dispatch of the frames the main process sends.
/// </summary>
internal sealed partial class ChildHost : IRouterLink
{
    private readonly ChildEnvironment _environment;
    private readonly ChannelRegistry _channels;
    private readonly ILogger _logger;
    private readonly TimeSpan _callTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PendingRequests<PendingOpen> _pendingOpens = new(static open => FirnErrors.OpenTimedOut(open.Name, open.Timeout));
    private readonly Dictionary<FrameKind, FrameHandler> _featureHandlers = [];

    /// <summary>The built-in channels the main process opened for this child and named in its Welcome (opened as objects).</summary>
    private readonly ConcurrentDictionary<string, ChannelBinding> _builtInChannels = new(StringComparer.Ordinal);
    private Connection? _connection;
    private int _sendWindow;
    private MessageSizeLimit? _messageLimit;
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
        _channels = channels;
        _callTimeout = callTimeout;
        _logger = logger;
    }

    public string ProcessName => _environment.ProcessName;

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

    public async Task ConnectAsync(MessageSizeLimit messageLimit, int bufferLimit, TimeSpan timeout)
    {
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

        _connection = new Connection(socket, messageLimit.Bytes + FrameFormat.EnvelopeAllowance, _logger, "the main process", bufferLimit);
        _connection.Start(OnFrame);
        _ = _connection.Closed.ContinueWith(OnDisconnected, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _connection.Send(FrameKind.Hello, Handshake.EncodeHello(ProcessName, _environment.Secret));

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

    /// <summary>Registers the handler of a feature's frame kind (store, pub/sub, RPC); call before connecting.</summary>
    public void Register(FrameKind kind, FrameHandler handler) => _featureHandlers.Add(kind, handler);

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

    ValueTask<ChannelBinding?> IRouterLink.OpenAsync(string name, string typeName, bool create, TimeSpan timeout)
    {
        var connection = _connection ?? throw new InvalidOperationException("Not connected to the main process.");
        if (string.Equals(typeName, TypeNames.Of(typeof(object)), StringComparison.Ordinal) && _builtInChannels.TryRemove(name, out var builtIn))
        {
            return ValueTask.FromResult<ChannelBinding?>(builtIn);
        }

        // The caller waits for the reply (GetChannel is synchronous): refuse before anything is sent.
        Connection.ThrowIfOnReadLoop($"open channel '{name}'");
        var open = new PendingOpen(name);
        var requestId = _pendingOpens.Add(open, timeout);
        var flags = create ? (byte)0 : OpenFlags.OnlyIfExists;
        if (!connection.Send(FrameKind.OpenChannel, new BodyWriter().WriteUInt32(requestId).WriteString(name).WriteString(typeName).WriteByte(flags).Written))
        {
            _pendingOpens.Remove(requestId);
            throw DisconnectedError($"Channel '{name}' cannot be opened");
        }

        return new ValueTask<ChannelBinding?>(_pendingOpens.WaitAsync(requestId, open, open.Task, CancellationToken.None));
    }

    void IRouterLink.Send(uint channelId, ReadOnlySpan<byte> payload)
    {
        if (!_connection!.Outbound.AppendChannelFrame(FrameKind.Send, channelId, payload))
        {
            throw DisconnectedError("The message was not sent");
        }
    }

    void IRouterLink.Attach(uint channelId, int window, ReceiveMode mode)
    {
        Span<byte> body = stackalloc byte[9];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)window);
        body[8] = (byte)mode;
        _connection!.Send(FrameKind.Attach, body);
    }

    void IRouterLink.Ack(uint channelId, int count) => _connection!.Outbound.AddCounter(FrameKind.Ack, channelId, (uint)count);

    void IRouterLink.Close(uint channelId)
    {
        Span<byte> body = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        _connection!.Send(FrameKind.CloseChannel, body);
    }

    private void OnFrame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
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

                _sendWindow = window;
                if (Handshake.DecodeWelcomeChannels(body) is { } builtIn)
                {
                    _builtInChannels[ChannelNames.Active(ProcessName)] = new ChannelBinding(builtIn.Active.Id, window, builtIn.Active.IsClosed);
                    _builtInChannels[ChannelNames.Passive(ProcessName)] = new ChannelBinding(builtIn.Passive.Id, window, builtIn.Passive.IsClosed);
                }

                // The main process counts this child's waiting bytes against its own limit: use that one. Until the
                // main process reads them they wait in this child's own buffer, so they must also fit there, leaving
                // its control reserve (this child may have been configured with a smaller ConnectionBufferLimit).
                _channels.Budget.Limit = Math.Min(pendingBytesLimit, _connection.Outbound.FlowLimit);
                _welcomed.TrySetResult();
                break;
            case FrameKind.Reject:
                _welcomed.TrySetException(FirnErrors.HandshakeRefused(ProcessName, Handshake.DecodeReject(body)));
                break;
            case FrameKind.ChannelOpened:
                OnChannelOpened(ref reader);
                break;
            case FrameKind.Deliver:
                var deliverId = reader.ReadUInt32();
                _channels.FindById(deliverId)?.OnDelivered(reader.Remaining.ToArray());
                break;
            case FrameKind.SendCredit:
                var creditId = reader.ReadUInt32();
                _channels.FindById(creditId)?.OnCredit(reader.ReadCount());
                break;
            case FrameKind.SendBytes:
                _ = reader.ReadUInt32();
                _channels.Budget.Release(reader.ReadUInt32());
                break;
            case FrameKind.ChannelClosed:
                OnChannelClosed(reader.ReadUInt32());
                break;
            case FrameKind.ChannelList:
                OnChannelList(body);
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
                if (!_featureHandlers.TryGetValue(kind, out var handler))
                {
                    throw new ProtocolViolationException($"unexpected frame kind {kind} from the main process");
                }

                handler(kind, body);
                break;
        }
    }

    private void OnChannelClosed(uint channelId)
    {
        if (_channels.FindById(channelId) is { } endpoint)
        {
            endpoint.OnClosed("closed");
            return;
        }

        // A built-in channel closed before this process opened it: it opens closed.
        foreach (var (name, binding) in _builtInChannels)
        {
            if (binding.ChannelId == channelId)
            {
                _builtInChannels[name] = binding with { IsClosed = true };
            }
        }
    }

    private void OnChannelOpened(ref BodyReader reader)
    {
        var requestId = reader.ReadUInt32();
        var status = reader.ReadByte();
        if (!_pendingOpens.TryTake(requestId, out var reply))
        {
            return;
        }

        switch (status)
        {
            case OpenStatus.Opened:
                var channelId = reader.ReadUInt32();
                var closed = reader.ReadByte() != 0;
                reply.TrySetResult(new ChannelBinding(channelId, _sendWindow, closed));
                break;
            case OpenStatus.NotFound:
                reply.TrySetResult(null);
                break;
            case OpenStatus.TypeMismatch:
                reply.TrySetException(FirnErrors.ChannelTypeMismatch(reader.ReadString()));
                break;
            case OpenStatus.BadName:
                reply.TrySetException(new ArgumentException(reader.ReadString()));
                break;
            case OpenStatus.LimitReached:
                reply.TrySetException(FirnErrors.ChannelLimit(reader.ReadString()));
                break;
            default:
                throw new ProtocolViolationException($"unknown channel open status {status}");
        }
    }

    private void OnDisconnected(Task<ConnectionCloseReason> closed)
    {
        var reason = DisconnectReasons.From(closed.Result);
        _pendingOpens.FailAll(open => FirnErrors.Disconnected(reason, $"Channel '{open.Name}' cannot be opened"));
        _pendingLists.FailAll(_ => FirnErrors.Disconnected(reason, "The channel list is unavailable"));
        _welcomed.TrySetException(FirnErrors.ClosedDuringHandshake(reason));
        _channels.Disconnect(reason);
        ConnectionLost?.Invoke(reason);
        SafeCancellation.Cancel(_stopping, _logger, $"child '{ProcessName}' stopping");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Child '{Process}' was asked to stop")]
    private partial void LogStopRequested(string process);
}

/// <summary>A channel open waiting for the main process's answer.</summary>
internal sealed class PendingOpen(string name) : PendingReply<ChannelBinding?>
{
    public string Name { get; } = name;
}
