namespace Firn.Transport;

/// <content>
/// Room for the frames the public API produces (calls, results, stream items, publications, store requests and
/// replies): they never take the buffer past <see cref="FlowLimit"/>, so only a peer that stops reading reaches the hard
/// limit. A producer that can wait appends within the room or waits for it (<see cref="AppendWhenRoomAsync"/>);
/// one that cannot (a relay on the main process's read loop) has its frame held here (<see cref="AppendOrHold"/>).
/// </content>
/// <remarks>
/// Requests that found no room wait in one queue, first come first served, and are let in as writes make room. A new
/// frame never overtakes a waiting one, so the frames of one producer (a stream's items, then its outcome) keep their
/// order. Room counts what waits to be written and what was reserved and not yet appended; congestion also counts what
/// is held (<see cref="CommittedBytes"/>). A frame always fits in an empty buffer, so one larger than
/// <see cref="FlowLimit"/> still goes.
/// </remarks>
internal sealed partial class OutboundBuffer
{
    private readonly Queue<RoomRequest> _roomQueue = new();
    private long _promised;
    private long _held;

    /// <summary>
    /// Bytes this buffer is committed to: unwritten (<see cref="UnwrittenBytes"/>), reserved for frames about to be
    /// appended, and held for frames waiting for room. Congestion counts these.
    /// </summary>
    public long CommittedBytes => UnwrittenBytes + Volatile.Read(ref _promised) + Volatile.Read(ref _held);

    private long CommittedLocked => UnwrittenLocked + _promised + _held;

    /// <summary>The size of a frame whose body is <paramref name="prefixLength"/> and <paramref name="payloadLength"/> bytes.</summary>
    public static int FrameSize(int prefixLength, int payloadLength) => FrameFormat.HeaderSize + prefixLength + payloadLength;

    /// <summary>Reserves room for a frame of <paramref name="frameBytes"/>, waiting for it in turn if there is none now.</summary>
    /// <returns><see langword="false"/> if the buffer was completed (the connection is closing).</returns>
    public ValueTask<bool> ReserveAsync(int frameBytes, CancellationToken cancellationToken)
    {
        RoomRequest request;
        lock (_lock)
        {
            if (_completed)
            {
                return ValueTask.FromResult(false);
            }

            if (HasRoomLocked(frameBytes))
            {
                _promised += frameBytes;
                return ValueTask.FromResult(true);
            }

            request = new RoomRequest(frameBytes, null);
            _roomQueue.Enqueue(request);
        }

        return new ValueTask<bool>(WaitForGrantAsync(request, cancellationToken));
    }

    /// <summary>What an append that minds room did.</summary>
    private enum AppendResult
    {
        Appended,
        Held,
        NoRoom,
        Closed,
    }

    /// <summary>Whether an append minds the room for flow frames.</summary>
    private enum RoomRule
    {
        /// <summary>Only the hard limit (control frames, and frames flow-controlled elsewhere: channel messages, deliveries).</summary>
        None,

        /// <summary>Appended only if there is room and nothing waits for it.</summary>
        Required,

        /// <summary>Appended if there is room, else held (<see cref="AppendOrHold"/>).</summary>
        HoldIfNone,
    }

    /// <summary>Appends a frame whose room was reserved (<see cref="ReserveAsync"/>) with exactly its size.</summary>
    /// <returns><see langword="false"/> if the buffer was completed meanwhile.</returns>
    public bool AppendReserved(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, FrameSize(prefix.Length, payload.Length), RoomRule.None) == AppendResult.Appended;

    /// <summary>Appends a frame if there is room for it now and nothing waits for room (one lock: the fast path of the waiting forms).</summary>
    /// <returns><see langword="true"/> if appended, <see langword="false"/> if there is no room now, <see langword="null"/> if the buffer was completed.</returns>
    public bool? TryAppendWithinRoom(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, 0, RoomRule.Required) switch
        {
            AppendResult.Appended => true,
            AppendResult.NoRoom => false,
            _ => null,
        };

    /// <summary>Appends a frame when there is room for it: now if there is, else once writes make room (the bytes are copied then).</summary>
    /// <returns><see langword="false"/> if the buffer was completed (the connection is closing).</returns>
    public ValueTask<bool> AppendWhenRoomAsync(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload, CancellationToken cancellationToken) =>
        TryAppendWithinRoom(kind, prefix, payload) switch
        {
            true => ValueTask.FromResult(true),
            false => AppendLaterAsync(kind, prefix.ToArray(), payload.ToArray(), cancellationToken),
            null => ValueTask.FromResult(false),
        };

    /// <summary>
    /// Appends a frame now if there is room, or holds a copy that is appended, in turn, once writes make room. A frame
    /// that would take the held bytes past the hard limit is refused as for a peer that is not reading
    /// (<see cref="Overflowed"/>). For producers that must not wait: the main process relaying on a read loop.
    /// </summary>
    /// <returns><see langword="false"/> if the buffer was completed or refused the frame.</returns>
    public bool AppendOrHold(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, 0, RoomRule.HoldIfNone) is AppendResult.Appended or AppendResult.Held;

    /// <summary>Holds a copy of a frame that found no room, unless the held bytes would pass the hard limit. Call under the lock.</summary>
    private bool TryHoldLocked(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var size = FrameSize(prefix.Length, payload.Length);
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

    private bool HasRoomLocked(long frameBytes)
    {
        if (_roomQueue.Count > 0)
        {
            return false;
        }

        return FitsLocked(frameBytes);
    }

    /// <summary>Whether a frame fits in the buffer now: the held frames are not in it yet (they queue behind the head).</summary>
    private bool FitsLocked(long frameBytes)
    {
        var inBuffer = UnwrittenLocked + _promised;
        return inBuffer == 0 || inBuffer + frameBytes <= FlowLimit;
    }

    private async ValueTask<bool> AppendLaterAsync(FrameKind kind, byte[] prefix, byte[] payload, CancellationToken cancellationToken) =>
        await ReserveAsync(FrameSize(prefix.Length, payload.Length), cancellationToken).ConfigureAwait(false) && AppendReserved(kind, prefix, payload);

    private async Task<bool> WaitForGrantAsync(RoomRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            using var registration = cancellationToken.UnsafeRegister(static (state, _) => ((RoomRequest)state!).Buffer!.Withdraw((RoomRequest)state!), request.WithBuffer(this));
            return await request.Done!.Task.ConfigureAwait(false);
        }

        return await request.Done!.Task.ConfigureAwait(false);
    }

    /// <summary>A waiting reservation was cancelled: it leaves the queue (unless granted first), which may let the next ones in.</summary>
    private void Withdraw(RoomRequest request)
    {
        List<RoomRequest>? granted;
        Turn turn = Turn.None;
        lock (_lock)
        {
            if (request.Granted || !request.Done!.TrySetCanceled())
            {
                return;
            }

            request.Withdrawn = true;
            granted = GrantLocked();
            if (_length > 0)
            {
                turn = ClaimLocked();
            }
        }

        Go(turn);
        granted?.ForEach(r => r.Done!.TrySetResult(true));
    }

    /// <summary>Lets in the waiting requests that fit now, in order: held frames are appended, reservations granted. Call under the lock.</summary>
    private List<RoomRequest>? GrantLocked()
    {
        List<RoomRequest>? granted = null;
        while (_roomQueue.TryPeek(out var head))
        {
            if (head.Withdrawn)
            {
                _roomQueue.Dequeue();
                continue;
            }

            if (!FitsLocked(head.Size))
            {
                break;
            }

            _roomQueue.Dequeue();
            if (head.Frame is { } frame)
            {
                _held -= frame.Length;
                frame.CopyTo(Reserve(frame.Length));
                _congested |= UnwrittenLocked > CongestionLimit;
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

    /// <summary>The buffer was completed: held frames are dropped and waiting reservations refused. Call under the lock.</summary>
    private List<RoomRequest>? DropRoomQueueLocked()
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

    /// <summary>A frame waiting for room: a held copy (<see cref="Frame"/>), or a producer waiting to reserve (<see cref="Done"/>).</summary>
    private sealed class RoomRequest(int size, byte[]? frame)
    {
        public int Size { get; } = size;

        public byte[]? Frame { get; } = frame;

        public TaskCompletionSource<bool>? Done { get; } = frame is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

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
}
