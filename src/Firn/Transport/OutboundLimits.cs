using System.Diagnostics;

namespace Firn.Transport;

/// <summary>
/// The limits of one <see cref="OutboundBuffer"/>: congestion (the router stops delivering above
/// <see cref="CongestionLimit"/> and resumes once it is written down), the hard limit (a frame past it means the peer is
/// not reading), and the room for flow frames (<see cref="FlowLimit"/>), with the queue of frames waiting for room.
/// </summary>
/// <remarks>
/// Room counts what waits to be written and what was reserved and not yet appended (<see cref="_promised"/>); congestion
/// also counts what is held (<see cref="Committed"/>). Requests that found no room wait in one queue, first come first
/// served: a new frame never overtakes a waiting one, so the frames of one producer keep their order. A frame always
/// fits in an empty buffer, so one larger than <see cref="FlowLimit"/> still goes.
/// <para>
/// Not thread-safe: every field is guarded by the owning buffer's lock. <see cref="_congested"/>, <see cref="_promised"/>
/// and <see cref="_held"/> are also read without it (<see cref="IsArmed"/>, <see cref="CommittedBytes"/>).
/// </para>
/// </remarks>
internal sealed class OutboundLimits
{
    private readonly Lock _guard;
    private readonly OutboundFrames _frames;

    /// <summary>Frames and reservations waiting for room, in order (guarded by the owner's lock).</summary>
    private readonly Queue<RoomRequest> _roomQueue = new();

    /// <summary>Set once the buffer is found congested; cleared (and <see cref="OutboundBuffer.Drained"/> raised) when written down.</summary>
    private bool _congested;

    /// <summary>Bytes reserved (<see cref="OutboundBuffer.ReserveAsync"/>) and not yet appended.</summary>
    private long _promised;

    /// <summary>Bytes of the frames held in <see cref="_roomQueue"/>.</summary>
    private long _held;

    /// <param name="guard">The owning buffer's lock, which guards this (checked in Debug builds).</param>
    /// <param name="frames">The buffer's frames, whose unwritten bytes the limits count.</param>
    /// <param name="congestionLimit">See <see cref="CongestionLimit"/>.</param>
    /// <param name="hardLimit">See <see cref="HardLimit"/>.</param>
    public OutboundLimits(Lock guard, OutboundFrames frames, int congestionLimit, int hardLimit)
    {
        if (hardLimit < congestionLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(hardLimit), hardLimit, "The hard limit must not be below the congestion limit.");
        }

        _guard = guard;
        _frames = frames;
        CongestionLimit = congestionLimit;
        HardLimit = hardLimit;
    }

    /// <summary>Committed bytes above which the buffer is congested.</summary>
    public int CongestionLimit { get; }

    /// <summary>Unwritten bytes the buffer never exceeds: a frame that would is refused.</summary>
    public int HardLimit { get; }

    /// <summary>The bytes of flow-controlled frames the buffer may hold: the hard limit less <see cref="OutboundBuffer.ControlReserve"/>.</summary>
    public long FlowLimit => Math.Max(0, HardLimit - OutboundBuffer.ControlReserve);

    /// <summary>Unwritten, reserved and held bytes, read without the lock.</summary>
    public long CommittedBytes => _frames.UnwrittenBytes + Volatile.Read(ref _promised) + Volatile.Read(ref _held);

    /// <summary>Unwritten, reserved and held bytes (under the lock).</summary>
    public long Committed => _frames.Unwritten + _promised + _held;

    /// <summary>Whether congestion was found and has not cleared yet, read without the lock.</summary>
    public bool IsArmed => Volatile.Read(ref _congested);

    /// <summary>Whether requests wait for room.</summary>
    public bool HasWaiting => _roomQueue.Count > 0;

    /// <summary>Whether a frame of <paramref name="frameBytes"/> stays within the hard limit (the rule for control frames).</summary>
    public bool FitsUnderHardLimit(long frameBytes) => _frames.Unwritten + frameBytes <= HardLimit;

    /// <summary>After an append: the buffer counts as congested once over its limit.</summary>
    public void NoteAppended() => _congested |= _frames.Unwritten > CongestionLimit;

    /// <summary>
    /// Whether the buffer is congested counting <paramref name="heldBytes"/> more; if so, congestion is armed, so that
    /// the drain that brings it back under the limit is reported (<see cref="TakeDrained"/>).
    /// </summary>
    public bool ArmIfCongestedWith(long heldBytes)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Congestion is armed under the buffer's lock.");
        if (Committed + heldBytes <= CongestionLimit)
        {
            return false;
        }

        _congested = true;
        return true;
    }

    /// <summary>Whether congestion cleared (then it is disarmed): the buffer is written down to its limit.</summary>
    public bool TakeDrained()
    {
        var drained = _congested && Committed <= CongestionLimit;
        if (drained)
        {
            _congested = false;
        }

        return drained;
    }

    /// <summary>Whether a frame of <paramref name="frameBytes"/> may be appended now: nothing waits for room, and it fits.</summary>
    public bool HasRoom(long frameBytes) => _roomQueue.Count == 0 && Fits(frameBytes);

    /// <summary>Reserves room for a frame of <paramref name="frameBytes"/> if there is room now.</summary>
    public bool TryPromise(int frameBytes)
    {
        if (!HasRoom(frameBytes))
        {
            return false;
        }

        _promised += frameBytes;
        return true;
    }

    /// <summary>A reserved frame was appended, or its buffer closed: its room is no longer promised.</summary>
    public void Fulfil(int frameBytes)
    {
        _promised -= frameBytes;
        Debug.Assert(_promised >= 0, $"Bytes promised ({_promised}) are not negative: a frame appended with more room than it reserved.");
    }

    /// <summary>Queues a producer that waits for room for a frame of <paramref name="frameBytes"/>.</summary>
    public RoomRequest EnqueueWaiter(int frameBytes)
    {
        var request = new RoomRequest(frameBytes, null);
        _roomQueue.Enqueue(request);
        return request;
    }

    /// <summary>Holds a copy of a frame that found no room, unless the held bytes would pass the hard limit.</summary>
    public bool TryHold(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var size = OutboundBuffer.FrameSize(prefix.Length, payload.Length);
        if (_held + size > HardLimit)
        {
            // The peer has left a buffer's worth of held frames unread as well: it is not reading.
            return false;
        }

        var frame = new byte[size];
        FrameFormat.WriteHeader(frame, kind, size - FrameFormat.HeaderSize);
        prefix.CopyTo(frame.AsSpan(FrameFormat.HeaderSize));
        payload.CopyTo(frame.AsSpan(FrameFormat.HeaderSize + prefix.Length));
        _roomQueue.Enqueue(new RoomRequest(size, frame));
        _held += size;
        return true;
    }

    /// <summary>Lets in the waiting requests that fit now, in order: held frames are appended, reservations granted (returned, to be completed outside the lock).</summary>
    public List<RoomRequest>? Grant()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Room is granted under the buffer's lock.");
        List<RoomRequest>? granted = null;
        while (_roomQueue.TryPeek(out var head))
        {
            if (head.Withdrawn)
            {
                _roomQueue.Dequeue();
                continue;
            }

            if (!Fits(head.Size))
            {
                break;
            }

            _roomQueue.Dequeue();
            if (head.Frame is { } frame)
            {
                _held -= frame.Length;
                _frames.AppendEncoded(frame);
                NoteAppended();
            }
            else
            {
                _promised += head.Size;
                head.Granted = true;
                (granted ??= []).Add(head);
            }
        }

        return granted;
    }

    /// <summary>The buffer was completed: held frames are dropped, and the waiting reservations returned to be refused.</summary>
    public List<RoomRequest>? DropQueue()
    {
        List<RoomRequest>? refused = null;
        while (_roomQueue.TryDequeue(out var request))
        {
            if (request.Done is not null)
            {
                (refused ??= []).Add(request);
            }
        }

        _held = 0;
        return refused;
    }

    /// <summary>Checks what must hold whenever the owner's lock is released (Debug builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "The limits are read and changed under the buffer's lock.");
        Debug.Assert(_promised >= 0, $"Bytes promised ({_promised}) are not negative.");
        Debug.Assert(_held >= 0 && _held <= HardLimit, $"Bytes held ({_held}) lie within the hard limit ({HardLimit}).");
        Debug.Assert(_roomQueue.Sum(r => r.Frame?.Length ?? 0) == _held, "The held bytes are those of the frames that wait.");
    }

    /// <summary>Whether a frame fits in the buffer now: the held frames are not in it yet (they queue behind the head).</summary>
    private bool Fits(long frameBytes)
    {
        var inBuffer = _frames.Unwritten + _promised;
        return inBuffer == 0 || inBuffer + frameBytes <= FlowLimit;
    }
}

/// <summary>A frame waiting for room: a held copy (<see cref="Frame"/>), or a producer waiting to reserve (<see cref="Done"/>).</summary>
internal sealed class RoomRequest(int size, byte[]? frame)
{
    public int Size { get; } = size;

    public byte[]? Frame { get; } = frame;

    public TaskCompletionSource<bool>? Done { get; } = frame is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    /// <summary>The buffer whose queue it waits in, set when its wait can be cancelled.</summary>
    public OutboundBuffer? Buffer { get; private set; }

    /// <summary>Room was reserved for it (under the buffer's lock).</summary>
    public bool Granted { get; set; }

    /// <summary>Its producer gave up (under the buffer's lock); the queue skips it.</summary>
    public bool Withdrawn { get; set; }

    public RoomRequest WithBuffer(OutboundBuffer buffer)
    {
        Buffer = buffer;
        return this;
    }
}
