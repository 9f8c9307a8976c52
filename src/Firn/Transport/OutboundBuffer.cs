using System.Buffers.Binary;
using System.Diagnostics;
using Holder = Firn.Transport.OutboundWriterRole.Holder;

namespace Firn.Transport;

/// <summary>
/// Frames waiting to be written to one socket. Producers append under a short lock; one writer at a time takes
/// everything appended so far in a single swap and sends it with one system call. The writer is either the thread
/// that appended to an idle buffer (it writes at once, inline: no thread is woken) or the connection's write loop
/// (for a busy connection, where frames appended while a write is in progress coalesce into the next batch).
/// Small counters (send credits, acknowledgements) are summed per channel and written once per batch.
/// </summary>
/// <remarks>
/// A facade over four parts: the frames and their byte counts (<see cref="OutboundFrames"/>), the writer role
/// (<see cref="OutboundWriterRole"/>), the limits and the room for flow frames (<see cref="OutboundLimits"/>), and the
/// flush waiters (<see cref="OutboundFlushWaiters"/>). They share this buffer's one lock: an append checks the limits,
/// copies its frame and claims the role in one step, and a write counts its bytes, lets in the frames waiting for room
/// and releases flush waiters in one step; a lock per part would need an order between them and would cost the hot
/// path a second lock. Nothing runs out of this class under the lock: the inline write, the write loop's wake-up and
/// the events come after it is released (and, for a caller that holds a lock of its own, after that one too:
/// <see cref="DeferredWrites"/>).
/// </remarks>
internal sealed partial class OutboundBuffer
{
    /// <summary>Guards <see cref="_completed"/> and every mutable field of the four parts.</summary>
    private readonly Lock _lock = new();
    private readonly OutboundFrames _frames;
    private readonly OutboundWriterRole _role;
    private readonly OutboundLimits _limits;
    private readonly OutboundFlushWaiters _flushWaiters;

    /// <summary>Set once the buffer refuses frames: the connection is closing, or the peer stopped reading (guarded by <see cref="_lock"/>).</summary>
    private bool _completed;

    /// <summary>
    /// Creates a buffer that counts as congested above <paramref name="congestionLimit"/> pending bytes and refuses
    /// (raising <see cref="Overflowed"/> once) any frame that would take it past <paramref name="hardLimit"/>.
    /// </summary>
    public OutboundBuffer(int congestionLimit = DefaultCongestionLimit, int hardLimit = DefaultHardLimit)
    {
        _frames = new OutboundFrames(_lock);
        _role = new OutboundWriterRole(_lock);
        _limits = new OutboundLimits(_lock, _frames, congestionLimit, hardLimit);
        _flushWaiters = new OutboundFlushWaiters(_lock);
    }

    /// <summary>The default congestion limit: 64 MiB waiting to be written.</summary>
    public const int DefaultCongestionLimit = 64 * 1024 * 1024;

    /// <summary>The default hard limit: 256 MiB waiting to be written.</summary>
    public const int DefaultHardLimit = 256 * 1024 * 1024;

    /// <summary>
    /// The most a write loop hands to the socket at once. Bytes count as written only once the call returns, so up to
    /// this much may still count here after the peer has read it (and released the sender's budget for it).
    /// </summary>
    public const int WriteChunk = 64 * 1024;

    /// <summary>
    /// Room under the hard limit that flow-controlled frames (channel messages, deliveries) leave to the chunk being
    /// written (<see cref="WriteChunk"/>) and to control frames (acknowledgements, credits, pongs), so that only a peer
    /// that stops reading can take the buffer to its hard limit.
    /// </summary>
    public const int ControlReserve = 2 * WriteChunk;

    /// <summary>The bytes of flow-controlled frames this buffer may hold: the hard limit less <see cref="ControlReserve"/>.</summary>
    public long FlowLimit => _limits.FlowLimit;

    /// <summary>
    /// The congestion limit for a buffer of <paramref name="hardLimit"/> bytes whose largest frame is
    /// <paramref name="largestFrame"/>: a quarter of the hard limit, lowered so that one more frame of the largest size
    /// (the router delivers to a peer while it is not congested) and the control reserve still fit under the hard limit.
    /// </summary>
    public static int CongestionLimitFor(int hardLimit, int largestFrame) =>
        (int)Math.Clamp((long)hardLimit - largestFrame - ControlReserve, 0, hardLimit / 4);

    /// <summary>Unwritten bytes (<see cref="UnwrittenBytes"/>) above which <see cref="IsCongested"/> is true.</summary>
    public int CongestionLimit => _limits.CongestionLimit;

    /// <summary>Unwritten bytes (<see cref="UnwrittenBytes"/>) the buffer never exceeds: a frame that would is refused, and <see cref="Overflowed"/> is raised.</summary>
    public int HardLimit => _limits.HardLimit;

    /// <summary>Writes batches on the appending thread when the buffer is idle; without one, every batch goes through the loop.</summary>
    /// <remarks>Set once, when the connection starts; claims read it under the lock, and the inline writer after.</remarks>
    public IInlineWriter? InlineWriter { get; set; }

    /// <summary>
    /// Raised once, outside the buffer's lock, when a frame was refused because the peer is not reading (the hard limit).
    /// The buffer refuses every frame from then on; its owner closes the connection.
    /// </summary>
    public event Action? Overflowed;

    /// <summary>
    /// Whether more than <see cref="CongestionLimit"/> bytes wait to be written (<see cref="UnwrittenBytes"/>): the peer
    /// is not reading. The router stops delivering to a congested peer until <see cref="Drained"/> fires.
    /// </summary>
    public bool IsCongested => CommittedBytes > CongestionLimit;

    /// <summary>
    /// Bytes appended and not yet handed to the socket: what waits in the buffer and the batch a writer has taken and
    /// not finished writing. The limits count these (a batch being written to a peer that stopped reading is still held).
    /// </summary>
    public long UnwrittenBytes => _frames.UnwrittenBytes;

    /// <summary>
    /// Whether the buffer is congested counting <paramref name="heldBytes"/> a caller holds to append next (the router's
    /// delivery run). When it is, <see cref="Drained"/> fires once the buffer is written down below the limit, even if
    /// the held bytes alone take it over only after they are appended.
    /// </summary>
    public bool IsCongestedWith(long heldBytes)
    {
        if (CommittedBytes + heldBytes <= CongestionLimit)
        {
            return false;
        }

        if (_limits.IsArmed)
        {
            // Already armed (a congested peer is asked once per message offered to it): no lock needed.
            return true;
        }

        lock (_lock)
        {
            // Checked again under the lock: the writer may have written the buffer down meanwhile.
            var congested = _limits.ArmIfCongestedWith(heldBytes);
            AssertInvariantsLocked();
            return congested;
        }
    }

    /// <summary>Raised (never under a caller's lock) once a congested buffer has been written down below the limit.</summary>
    public event Action? Drained;

    /// <summary>Bytes appended and not yet taken by a writer.</summary>
    public int PendingBytes
    {
        get
        {
            lock (_lock)
            {
                return _frames.Length;
            }
        }
    }

    /// <summary>Appends one frame whose body is <paramref name="prefix"/> followed by <paramref name="payload"/>.</summary>
    /// <returns><see langword="false"/> if the buffer was completed (the connection is closing).</returns>
    public bool Append(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload) =>
        Append(kind, prefix, payload, 0, RoomRule.None) == AppendResult.Appended;

    /// <summary>
    /// Appends one frame: turns <paramref name="reserved"/> bytes of reserved room into its unwritten bytes, and applies
    /// <paramref name="rule"/> (see OutboundBuffer.Room.cs), under one lock.
    /// </summary>
    private AppendResult Append(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload, int reserved, RoomRule rule)
    {
        var frameBytes = FrameSize(prefix.Length, payload.Length);
        bool appended;
        Holder turn;
        lock (_lock)
        {
            _limits.Fulfil(reserved);
            if (_completed)
            {
                return AppendResult.Closed;
            }

            if (rule != RoomRule.None && !_limits.HasRoom(frameBytes))
            {
                if (rule == RoomRule.Required)
                {
                    return AppendResult.NoRoom;
                }

                if (_limits.TryHold(kind, prefix, payload))
                {
                    AssertInvariantsLocked();
                    return AppendResult.Held;
                }

                appended = false;
            }
            else
            {
                appended = _limits.FitsUnderHardLimit(frameBytes);
            }

            if (appended)
            {
                _frames.Append(kind, prefix, payload);
                _limits.NoteAppended();
            }
            else
            {
                // The peer is not reading: refuse this frame and every later one; the owner closes the connection.
                _completed = true;
            }

            turn = ClaimLocked();
            AssertInvariantsLocked();
        }

        Go(turn);
        if (!appended)
        {
            Overflowed?.Invoke();
            return AppendResult.Closed;
        }

        return AppendResult.Appended;
    }

    /// <summary>Appends a frame whose body is a channel id and a payload (the hot path for messages).</summary>
    public bool AppendChannelFrame(FrameKind kind, uint channelId, ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[FrameFormat.ChannelIdSize];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, channelId);
        return Append(kind, prefix, payload);
    }

    /// <summary>Appends one frame per payload, each with the channel id before the payload, under one lock.</summary>
    /// <returns><see langword="false"/> if the buffer was completed or refused a frame (then the later ones are not appended).</returns>
    public bool AppendChannelFrames(FrameKind kind, uint channelId, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
    {
        var appended = true;
        Holder turn;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            foreach (var payload in payloads)
            {
                if (!_limits.FitsUnderHardLimit(FrameSize(FrameFormat.ChannelIdSize, payload.Length)))
                {
                    // The peer is not reading: refuse this frame and every later one; the owner closes the connection.
                    _completed = true;
                    appended = false;
                    break;
                }

                _frames.AppendChannelFrame(kind, channelId, payload.Span);
            }

            _limits.NoteAppended();
            turn = ClaimLocked();
            AssertInvariantsLocked();
        }

        Go(turn);
        if (!appended)
        {
            Overflowed?.Invoke();
        }

        return appended;
    }

    /// <summary>Adds <paramref name="count"/> to a per-channel counter that is written as one frame with the next batch.</summary>
    public void AddCounter(FrameKind kind, uint channelId, uint count)
    {
        Holder turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _frames.AddCounter(kind, channelId, count);
            turn = ClaimLocked(counters: true);
            AssertInvariantsLocked();
        }

        Go(turn);
    }

    /// <summary>Adds to two counters under one lock (a channel's send credit and its sender's released bytes go together).</summary>
    public void AddCounters(FrameKind kind, uint id, uint count, FrameKind otherKind, uint otherId, uint otherCount)
    {
        Holder turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _frames.AddCounter(kind, id, count);
            _frames.AddCounter(otherKind, otherId, otherCount);
            turn = ClaimLocked(counters: true);
            AssertInvariantsLocked();
        }

        Go(turn);
    }

    /// <summary>Adds to many counters of one kind, and to one other counter, under one lock (a read batch's credits and released bytes).</summary>
    public void AddCounters(FrameKind kind, ReadOnlySpan<(uint Id, uint Count)> counts, FrameKind otherKind, uint otherId, uint otherCount)
    {
        Holder turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            foreach (var (id, count) in counts)
            {
                _frames.AddCounter(kind, id, count);
            }

            if (otherCount > 0)
            {
                _frames.AddCounter(otherKind, otherId, otherCount);
            }

            turn = ClaimLocked(counters: true);
            AssertInvariantsLocked();
        }

        Go(turn);
    }

    /// <summary>Refuses further frames; the writer loop ends after sending what is already buffered.</summary>
    public void Complete()
    {
        Holder turn;
        List<RoomRequest>? refused;
        lock (_lock)
        {
            _completed = true;
            refused = _limits.DropQueue();
            turn = ClaimLocked();
            AssertInvariantsLocked();
        }

        refused?.ForEach(request => request.Done!.TrySetResult(false));

        // The loop must see the end, so an idle buffer's role goes to it, never inline (a completed buffer claims no inline turn).
        Debug.Assert(turn != Holder.Inline, "A completed buffer's role goes to the write loop.");
        Go(turn);
    }

    /// <summary>Takes the writer role if it is free, and says who uses it. Call under the lock.</summary>
    /// <remarks>
    /// Counters (acknowledgements, credits) added off a read loop go out inline even right after a write: a handler's
    /// reply followed by its acknowledgement would otherwise wake the write loop for one small frame per round trip. On a
    /// read loop they keep the rule (the loop batches them, and the read thread goes back to reading sooner).
    /// </remarks>
    private Holder ClaimLocked(bool counters = false) =>
        _role.Claim(inlineAllowed: InlineWriter is not null && !_completed, evenIfRecent: counters && !Connection.IsOnReadLoop);

    /// <summary>Uses a turn of the writer role claimed under the lock, now or, in a <see cref="DeferredWrites"/> scope, at its end.</summary>
    private void Go(Holder turn)
    {
        if (turn != Holder.None && !DeferredWrites.TryDefer(this, turn))
        {
            TakeTurn(turn);
        }
    }

    /// <summary>Checks, under the lock, what must hold whenever it is released (Debug builds only).</summary>
    [Conditional("DEBUG")]
    private void AssertInvariantsLocked()
    {
        _frames.AssertInvariants();
        _role.AssertInvariants();
        _limits.AssertInvariants();
        _flushWaiters.AssertInvariants(_frames.Written);

        // No lost wake-up: whatever waits to be written has a writer that will take it.
        Debug.Assert(!_frames.HasWork || _role.Current != Holder.None, "Frames or counters wait with nobody holding the writer role.");
    }
}
