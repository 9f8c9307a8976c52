using Firn.Routing;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>
/// The main process's view of one connected child instance after its handshake: its identity, its life (Ready,
/// Control, the last time it was heard from), and the dispatch of every frame it sends to the feature that registered
/// that frame kind (<see cref="MainServices"/>). Everything the child says is checked; identity comes from the
/// authenticated connection, never from message content.
/// </summary>
internal sealed class ChildSession : IPeerSession
{
    private readonly Connection _connection;
    private readonly MainServices _services;
    private readonly ISessionOwner _owner;

    /// <summary>The child as the router sees it; it gathers the messages read on the read loop into runs.</summary>
    private readonly SessionRouterPeer _channels;

    /// <summary>Held while a frame is handled; ending the session takes it, so no handler runs during or after the end.</summary>
    private readonly Lock _gate = new();
    private bool _ended;

    public ChildSession(Connection connection, MainServices services, ISessionOwner owner)
    {
        _connection = connection;
        _services = services;
        _owner = owner;
        _channels = services.Channels.Connect(this);
        _connection.ReadBatchEnded = OnReadBatchEnded;
    }

    private long _lastHeard = Environment.TickCount64;

    /// <summary>The child's declared name.</summary>
    public string ProcessName => _owner.Name;

    /// <summary>When the last frame arrived from the child (<see cref="Environment.TickCount64"/>): the heartbeat's evidence of life.</summary>
    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Set once the child made a control request; later ones from the same instance are ignored.</summary>
    public bool ControlRequested { get; set; }

    /// <summary>Whether the child's outbound buffer is over its limit (it is not reading).</summary>
    public bool IsCongested => _connection.Outbound.IsCongested;

    public Connection Connection => _connection;

    public void Violate(string reason) =>
        _connection.Close(ConnectionCloseReason.ProtocolViolation, $"child '{ProcessName}' broke the protocol: {reason}");

    public void RequestStop() => _connection.Send(FrameKind.Stop, default);

    /// <summary>Asks the child for a sign of life; any frame it sends counts.</summary>
    public void SendPing() => _connection.Send(FrameKind.Ping, default);

    /// <summary>
    /// Handles a frame from the authenticated child; once the session has ended, frames are ignored. On the read loop,
    /// consecutive messages on one channel go to the router together, before the next frame of another kind or
    /// channel and at the end of the read, so their order with every other frame is kept.
    /// </summary>
    public void OnFrame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var onReadLoop = _connection.IsCurrentReadLoop;
        if (kind == FrameKind.Send && onReadLoop)
        {
            if (_channels.EndsRun(body))
            {
                FlushRun();
            }

            if (_channels.AddToRun(body))
            {
                FlushRun();
            }

            return;
        }

        if (!onReadLoop)
        {
            Volatile.Write(ref _lastHeard, Environment.TickCount64);
        }

        // Uncontended except against End: a connection closed from another thread (the child's process exited)
        // while this read loop is inside a handler must not let that handler register anything after the main
        // process has forgotten the child, or a channel membership, subscription or method name would outlive it.
        lock (_gate)
        {
            if (!_ended)
            {
                _channels.FlushRun(deliver: true);
                Dispatch(kind, body);
            }
        }
    }

    /// <summary>The end of one read on the read loop: the child was heard, and what the frames deferred goes out.</summary>
    private void OnReadBatchEnded()
    {
        Volatile.Write(ref _lastHeard, Environment.TickCount64);
        FlushRun();
        _channels.FlushGrantsAtReadEnd();
    }

    private void FlushRun()
    {
        if (!_channels.HasRun)
        {
            return;
        }

        lock (_gate)
        {
            _channels.FlushRun(deliver: !_ended);
        }
    }

    /// <summary>
    /// Marks the session ended once any frame in hand is handled; later frames are ignored. Called before the
    /// main process forgets the child (<see cref="MainServices.EndSession"/>), so what it forgets is final.
    /// </summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
        }
    }

    private void Dispatch(FrameKind kind, ReadOnlySpan<byte> body)
    {
        switch (kind)
        {
            case FrameKind.Ready:
                _owner.OnReady(this);
                break;
            case FrameKind.Pong:
                break;
            case FrameKind.Control:
                var request = (ControlRequest)new BodyReader(body).ReadByte();
                if (!Enum.IsDefined(request))
                {
                    throw new ProtocolViolationException($"unknown control request {(byte)request}");
                }

                _owner.OnControlRequest(this, request);
                break;
            default:
                if (!_services.TryHandle(this, kind, body))
                {
                    throw new ProtocolViolationException($"a child may not send frame kind {kind}");
                }

                break;
        }
    }
}
