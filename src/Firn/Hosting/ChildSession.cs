using System.Buffers.Binary;
using Firn.Channels;
using Firn.Routing;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>
/// The main process's view of one connected child instance: a <see cref="RouterPeer"/> whose deliveries
/// become frames, and the handler of every frame the child sends after its handshake. Everything the
/// child says is checked; identity comes from the authenticated connection, never from message content.
/// </summary>
internal sealed class ChildSession : RouterPeer
{
    private readonly Connection _connection;
    private readonly Router _router;
    private readonly MainServices _services;
    private readonly ISessionOwner _owner;

    /// <summary>Released bytes granted on the read loop go out before their count could overflow a counter frame.</summary>
    private const long GrantedBytesFlushAt = 1L << 30;

    /// <summary>Credits granted on this child's read loop and not yet sent (see <see cref="GrantCreditAndBytes"/>); only that thread uses them.</summary>
    private readonly List<(uint Id, uint Count)> _grants = [];
    private readonly uint _grantFlushAt;
    private long _grantedBytes;

    /// <summary>Messages on <see cref="_runChannel"/> read from the child and not yet handed to the router (read loop only).</summary>
    private readonly List<byte[]> _run = [];
    private uint _runChannel;

    /// <summary>Held while a frame is handled; ending the session takes it, so no handler runs during or after the end.</summary>
    private readonly Lock _gate = new();
    private bool _ended;

    public ChildSession(Connection connection, MainServices services, ISessionOwner owner)
        : base(owner.Name)
    {
        _connection = connection;
        _services = services;
        _router = services.Router;
        _owner = owner;
        _connection.Outbound.Drained += () => _router.Redispatch(this);
        _connection.ReadBatchEnded = OnReadBatchEnded;
        _grantFlushAt = (uint)Math.Max(1, _router.SendWindow / 4);
    }

    private long _lastHeard = Environment.TickCount64;

    /// <summary>When the last frame arrived from the child (<see cref="Environment.TickCount64"/>): the heartbeat's evidence of life.</summary>
    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Set once the child made a control request; later ones from the same instance are ignored.</summary>
    public bool ControlRequested { get; set; }

    /// <summary>Whether the child's outbound buffer is over its limit (it is not reading).</summary>
    public bool IsCongested => _connection.Outbound.IsCongested;

    public override bool IsCongestedWith(long heldBytes) => _connection.Outbound.IsCongestedWith(heldBytes);

    public Connection Connection => _connection;

    public override void Deliver(uint channelId, byte[] payload) => _connection.Outbound.AppendChannelFrame(FrameKind.Deliver, channelId, payload);

    public override void Deliver(uint channelId, ReadOnlySpan<byte[]> payloads) => _connection.Outbound.AppendChannelFrames(FrameKind.Deliver, channelId, payloads);

    public override void GrantCredit(uint channelId, int count) => _connection.Outbound.AddCounter(FrameKind.SendCredit, channelId, (uint)count);

    public override void ReleaseBytes(int bytes) => _connection.Outbound.AddCounter(FrameKind.SendBytes, 0, (uint)bytes);

    /// <remarks>
    /// On this child's own read loop (a message it sent went straight to a receiver) the grant waits for the end of the
    /// read, so a read of many messages costs one counter update instead of one per message; a quarter of the window
    /// at once goes out at once, so the child never waits for a long read to end. Elsewhere it goes out now.
    /// </remarks>
    public override void GrantCreditAndBytes(uint channelId, int bytes) => GrantCreditsAndBytes(channelId, 1, bytes);

    /// <inheritdoc cref="GrantCreditAndBytes"/>
    public override void GrantCreditsAndBytes(uint channelId, int count, long bytes)
    {
        if (!_connection.IsCurrentReadLoop)
        {
            _connection.Outbound.AddCounters(FrameKind.SendCredit, channelId, (uint)count, FrameKind.SendBytes, 0, (uint)bytes);
            return;
        }

        var grants = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_grants);
        var index = grants.Length - 1;
        while (index >= 0 && grants[index].Id != channelId)
        {
            index--;
        }

        if (index < 0)
        {
            _grants.Add((channelId, 0));
            grants = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_grants);
            index = grants.Length - 1;
        }

        _grantedBytes += bytes;
        grants[index].Count += (uint)count;
        if (grants[index].Count >= _grantFlushAt || _grantedBytes >= GrantedBytesFlushAt)
        {
            FlushGrants();
        }
    }

    /// <summary>Sends the credits and released bytes granted during this read (see <see cref="GrantCreditAndBytes"/>).</summary>
    private void FlushGrants()
    {
        if (_grants.Count == 0 && _grantedBytes == 0)
        {
            return;
        }

        _connection.Outbound.AddCounters(FrameKind.SendCredit, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_grants), FrameKind.SendBytes, 0, (uint)_grantedBytes);
        _grants.Clear();
        _grantedBytes = 0;
    }

    public override void NotifyClosed(uint channelId)
    {
        Span<byte> body = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, channelId);
        _connection.Send(FrameKind.ChannelClosed, body);
    }

    public override void Violate(string reason) =>
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
            var reader = new BodyReader(body);
            var channelId = reader.ReadUInt32();
            if (_run.Count > 0 && channelId != _runChannel)
            {
                FlushRun();
            }

            _runChannel = channelId;
            _run.Add(reader.Remaining.ToArray());
            if (_run.Count >= _grantFlushAt)
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
                FlushRunLocked();
                Dispatch(kind, body);
            }
        }
    }

    /// <summary>The end of one read on the read loop: the child was heard, and what the frames deferred goes out.</summary>
    private void OnReadBatchEnded()
    {
        Volatile.Write(ref _lastHeard, Environment.TickCount64);
        FlushRun();
        FlushGrants();
    }

    private void FlushRun()
    {
        if (_run.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            FlushRunLocked();
        }
    }

    private void FlushRunLocked()
    {
        if (_run.Count == 0)
        {
            return;
        }

        if (!_ended)
        {
            _router.Send(this, _runChannel, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_run));
        }

        _run.Clear();
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
        var reader = new BodyReader(body);
        switch (kind)
        {
            case FrameKind.Send:
                _router.Send(this, reader.ReadUInt32(), reader.Remaining.ToArray());
                break;
            case FrameKind.Ack:
                var ackId = reader.ReadUInt32();
                _router.Ack(this, ackId, ToCount(reader.ReadUInt32()));
                break;
            case FrameKind.Attach:
                var attachId = reader.ReadUInt32();
                var window = ToCount(reader.ReadUInt32());
                _router.Attach(this, attachId, window, (ReceiveMode)reader.ReadByte());
                break;
            case FrameKind.OpenChannel:
                OnOpenChannel(ref reader);
                break;
            case FrameKind.CloseChannel:
                _router.Close(this, reader.ReadUInt32());
                break;
            case FrameKind.Ready:
                _owner.OnReady(this);
                break;
            case FrameKind.Pong:
                break;
            case FrameKind.Control:
                var request = (ControlRequest)reader.ReadByte();
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

    private static int ToCount(uint value) =>
        value <= int.MaxValue ? (int)value : throw new ProtocolViolationException($"count {value} is out of range");

    private void OnOpenChannel(ref BodyReader reader)
    {
        var requestId = reader.ReadUInt32();
        var name = reader.ReadString();
        var typeName = reader.ReadString();
        var flags = reader.ReadByte();
        if ((flags & ~OpenFlags.OnlyIfExists) != 0)
        {
            throw new ProtocolViolationException($"unknown open flags {flags}");
        }

        var reply = new BodyWriter().WriteUInt32(requestId);
        try
        {
            if (_router.Open(this, name, typeName, create: (flags & OpenFlags.OnlyIfExists) == 0) is { } binding)
            {
                reply.WriteByte(OpenStatus.Opened).WriteUInt32(binding.ChannelId).WriteByte(binding.IsClosed ? (byte)1 : (byte)0);
            }
            else
            {
                reply.WriteByte(OpenStatus.NotFound);
            }
        }
        catch (ChannelTypeMismatchException ex)
        {
            reply.WriteByte(OpenStatus.TypeMismatch).WriteText(ex.Message);
        }
        catch (ChannelLimitException ex)
        {
            reply.WriteByte(OpenStatus.LimitReached).WriteText(ex.Message);
        }
        catch (ArgumentException ex)
        {
            reply.WriteByte(OpenStatus.BadName).WriteText(ex.Message);
        }

        _connection.Send(FrameKind.ChannelOpened, reply.Written);
    }
}
