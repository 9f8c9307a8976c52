using System.Buffers.Binary;
using System.Diagnostics;

namespace Firn.Transport;

/// <summary>Writes a batch to the socket at once, on the thread that appended it (see <see cref="OutboundBuffer.InlineWriter"/>).</summary>
internal interface IInlineWriter
{
    /// <summary>Sends what it can of <paramref name="batch"/> without blocking; returns the bytes sent, or -1 if the socket failed.</summary>
    int TrySend(ReadOnlySpan<byte> batch);

    /// <summary>The socket failed while writing inline: close the connection.</summary>
    void OnSendFailed();
}

/// <summary>
/// Frames waiting to be written to one socket. Producers append under a short lock; one writer at a time takes
/// everything appended so far in a single swap and sends it with one system call. The writer is either the thread
/// that appended to an idle buffer (it writes at once, inline: no thread is woken) or the connection's write loop
/// (for a busy connection, where frames appended while a write is in progress coalesce into the next batch).
/// Small counters (send credits, acknowledgements) are summed per channel and written once per batch.
/// </summary>
/// <remarks>
/// The writer role is a flag under the lock: whoever finds it free takes it. An appender that takes it writes inline
/// unless the connection wrote less than <see cref="InlineQuietTicks"/> ago (a stream of sends is better batched by the
/// loop than written one system call each); then, and whenever an inline write cannot finish (the socket is full) or
/// more was appended meanwhile, the role passes to the loop, which keeps it while there is data.
/// </remarks>
internal sealed partial class OutboundBuffer
{
    /// <summary>An idle connection's buffer is small (a process may have many idle children); a busy one grows by doubling.</summary>
    private const int InitialSize = 4 * 1024;
    private const int ShrinkAbove = 4 * 1024 * 1024;

    /// <summary>A connection that wrote this recently is streaming: let the loop batch instead of writing inline.</summary>
    private static readonly long InlineQuietTicks = Stopwatch.Frequency / 50_000;

    private readonly Lock _lock = new();
    private readonly TurnSemaphore _loopTurn = new();
    private readonly Dictionary<(FrameKind Kind, uint ChannelId), uint> _counters = [];
    private byte[] _current = new byte[InitialSize];
    private byte[] _spare = [];
    private int _length;
    private bool _writing;
    private bool _loopHasRole;
    private ArraySegment<byte> _carry;
    private long _lastWriteEnded;
    private bool _completed;
    private bool _congested;
    private long _reserved;
    private long _written;
    private int _inFlight;
    private List<(long Target, TaskCompletionSource<bool> Done)>? _flushWaiters;
    private bool _abandoned;

    /// <summary>
    /// Creates a buffer that counts as congested above <paramref name="congestionLimit"/> pending bytes and refuses
    /// (raising <see cref="Overflowed"/> once) any frame that would take it past <paramref name="hardLimit"/>.
    /// </summary>
    public OutboundBuffer(int congestionLimit = DefaultCongestionLimit, int hardLimit = DefaultHardLimit)
    {
        if (hardLimit < congestionLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(hardLimit), hardLimit, "The hard limit must not be below the congestion limit.");
        }

        CongestionLimit = congestionLimit;
        HardLimit = hardLimit;
    }

    private enum Turn
    {
        /// <summary>A writer has the role already; it will see the new data.</summary>
        None,

        /// <summary>The appender took the role and writes inline.</summary>
        Inline,

        /// <summary>The role goes to the write loop.</summary>
        Loop,
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
    public long FlowLimit => Math.Max(0, HardLimit - ControlReserve);

    /// <summary>
    /// The congestion limit for a buffer of <paramref name="hardLimit"/> bytes whose largest frame is
    /// <paramref name="largestFrame"/>: a quarter of the hard limit, lowered so that one more frame of the largest size
    /// (the router delivers to a peer while it is not congested) and the control reserve still fit under the hard limit.
    /// </summary>
    public static int CongestionLimitFor(int hardLimit, int largestFrame) =>
        (int)Math.Clamp((long)hardLimit - largestFrame - ControlReserve, 0, hardLimit / 4);

    /// <summary>Unwritten bytes (<see cref="UnwrittenBytes"/>) above which <see cref="IsCongested"/> is true.</summary>
    public int CongestionLimit { get; }

    /// <summary>Unwritten bytes (<see cref="UnwrittenBytes"/>) the buffer never exceeds: a frame that would is refused, and <see cref="Overflowed"/> is raised.</summary>
    public int HardLimit { get; }

    /// <summary>Writes batches on the appending thread when the buffer is idle; without one, every batch goes through the loop.</summary>
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
    public long UnwrittenBytes => Volatile.Read(ref _reserved) - Volatile.Read(ref _written);

    /// <summary><see cref="UnwrittenBytes"/>, read under the lock.</summary>
    private long UnwrittenLocked => _reserved - _written;

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

        if (Volatile.Read(ref _congested))
        {
            // Already armed (a congested peer is asked once per message offered to it): no lock needed.
            return true;
        }

        lock (_lock)
        {
            // Checked again under the lock: the writer may have written the buffer down meanwhile.
            if (CommittedLocked + heldBytes <= CongestionLimit)
            {
                return false;
            }

            _congested = true;
        }

        return true;
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
                return _length;
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
        var bodyLength = prefix.Length + payload.Length;
        bool appended;
        Turn turn;
        lock (_lock)
        {
            _promised -= reserved;
            if (_completed)
            {
                return AppendResult.Closed;
            }

            if (rule != RoomRule.None && !HasRoomLocked(FrameFormat.HeaderSize + bodyLength))
            {
                if (rule == RoomRule.Required)
                {
                    return AppendResult.NoRoom;
                }

                if (TryHoldLocked(kind, prefix, payload))
                {
                    return AppendResult.Held;
                }

                appended = false;
            }
            else
            {
                appended = UnwrittenLocked + FrameFormat.HeaderSize + bodyLength <= HardLimit;
            }

            if (appended)
            {
                var destination = Reserve(FrameFormat.HeaderSize + bodyLength);
                FrameFormat.WriteHeader(destination, kind, bodyLength);
                prefix.CopyTo(destination[FrameFormat.HeaderSize..]);
                payload.CopyTo(destination[(FrameFormat.HeaderSize + prefix.Length)..]);
                _congested |= UnwrittenLocked > CongestionLimit;
            }
            else
            {
                // The peer is not reading: refuse this frame and every later one; the owner closes the connection.
                _completed = true;
            }

            turn = ClaimLocked();
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
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, channelId);
        return Append(kind, prefix, payload);
    }

    /// <summary>Appends one frame per payload, each with the channel id before the payload, under one lock.</summary>
    /// <returns><see langword="false"/> if the buffer was completed or refused a frame (then the later ones are not appended).</returns>
    public bool AppendChannelFrames(FrameKind kind, uint channelId, ReadOnlySpan<byte[]> payloads)
    {
        var appended = true;
        var overflowed = false;
        Turn turn;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            foreach (var payload in payloads)
            {
                var bodyLength = 4 + payload.Length;
                if (UnwrittenLocked + FrameFormat.HeaderSize + bodyLength > HardLimit)
                {
                    // The peer is not reading: refuse this frame and every later one; the owner closes the connection.
                    _completed = true;
                    appended = false;
                    overflowed = true;
                    break;
                }

                var destination = Reserve(FrameFormat.HeaderSize + bodyLength);
                FrameFormat.WriteHeader(destination, kind, bodyLength);
                BinaryPrimitives.WriteUInt32LittleEndian(destination[FrameFormat.HeaderSize..], channelId);
                payload.CopyTo(destination[(FrameFormat.HeaderSize + 4)..]);
            }

            _congested |= UnwrittenLocked > CongestionLimit;
            turn = ClaimLocked();
        }

        Go(turn);
        if (overflowed)
        {
            Overflowed?.Invoke();
        }

        return appended;
    }

    /// <summary>Adds <paramref name="count"/> to a per-channel counter that is written as one frame with the next batch.</summary>
    public void AddCounter(FrameKind kind, uint channelId, uint count)
    {
        Turn turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            AddToCounterLocked(kind, channelId, count);
            turn = ClaimLocked();
        }

        Go(turn);
    }

    /// <summary>Adds to two counters under one lock (a channel's send credit and its sender's released bytes go together).</summary>
    public void AddCounters(FrameKind kind, uint id, uint count, FrameKind otherKind, uint otherId, uint otherCount)
    {
        Turn turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            AddToCounterLocked(kind, id, count);
            AddToCounterLocked(otherKind, otherId, otherCount);
            turn = ClaimLocked();
        }

        Go(turn);
    }

    /// <summary>Adds to many counters of one kind, and to one other counter, under one lock (a read batch's credits and released bytes).</summary>
    public void AddCounters(FrameKind kind, ReadOnlySpan<(uint Id, uint Count)> counts, FrameKind otherKind, uint otherId, uint otherCount)
    {
        Turn turn;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            foreach (var (id, count) in counts)
            {
                AddToCounterLocked(kind, id, count);
            }

            if (otherCount > 0)
            {
                AddToCounterLocked(otherKind, otherId, otherCount);
            }

            turn = ClaimLocked();
        }

        Go(turn);
    }

    /// <summary>Refuses further frames; the writer loop ends after sending what is already buffered.</summary>
    public void Complete()
    {
        Turn turn;
        List<RoomRequest>? refused;
        lock (_lock)
        {
            _completed = true;
            refused = DropRoomQueueLocked();
            turn = ClaimLocked();
        }

        refused?.ForEach(request => request.Done!.TrySetResult(false));

        // The loop must see the end, so an idle buffer's role goes to it, never inline.
        Go(turn == Turn.Inline ? Turn.Loop : turn);
    }

    /// <summary>Raised after the writer role was handed to the write loop (its owner makes sure a writer is there to take it).</summary>
    public event Action? LoopTurnGiven;

    /// <summary>Whether a turn was handed to the write loop and not yet taken.</summary>
    public bool HasPendingTurn => _loopTurn.CurrentCount > 0;

    /// <summary>The write loop waits for its turn (the writer role); false if none came within <paramref name="timeout"/>.</summary>
    public bool WaitForTurn(TimeSpan timeout)
    {
        if (_loopHasRole)
        {
            return true;
        }

        if (!_loopTurn.Wait(timeout))
        {
            return false;
        }

        _loopHasRole = true;
        return true;
    }

    /// <summary>
    /// The write loop, holding the role, takes what an inline write could not finish, or everything buffered. An empty
    /// segment means nothing is left: the role is given back, unless the buffer was completed (<paramref name="ended"/>).
    /// </summary>
    /// <remarks>The returned array stays valid until the next call. Only the write loop calls this.</remarks>
    public ArraySegment<byte> TakeForLoop(out bool ended)
    {
        lock (_lock)
        {
            ended = false;
            if (_carry.Array is not null)
            {
                var carry = _carry;
                _carry = default;
                _inFlight = carry.Count;
                return carry;
            }

            if (TakeLocked() is { Count: > 0 } taken)
            {
                return taken;
            }

            if (_completed)
            {
                ended = true;
                return ArraySegment<byte>.Empty;
            }

            _writing = false;
            _loopHasRole = false;
            return ArraySegment<byte>.Empty;
        }
    }

    /// <summary>An asynchronous write loop's turn (for tests and hosts without threads): the next batch, or an empty segment at the end.</summary>
    public async ValueTask<ArraySegment<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_loopHasRole)
            {
                await _loopTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
                _loopHasRole = true;
            }

            var batch = TakeForLoop(out var ended);
            if (batch.Count > 0 || ended)
            {
                return batch;
            }
        }
    }

    /// <summary>Called by the write loop after a batch was written; raises <see cref="Drained"/> when congestion has cleared.</summary>
    public void OnBatchWritten()
    {
        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        lock (_lock)
        {
            drained = CountWrittenLocked(_inFlight, out flushed, out granted);
        }

        Settle(flushed, drained, granted);
    }

    /// <summary>
    /// Called by the write loop after it wrote <paramref name="bytes"/> of the batch in hand (it writes a large batch in
    /// parts, so that what the peer has already read stops counting against the limits before the whole batch is out).
    /// </summary>
    public void OnWritten(int bytes)
    {
        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        lock (_lock)
        {
            drained = CountWrittenLocked(bytes, out flushed, out granted);
        }

        Settle(flushed, drained, granted);
    }

    /// <summary>
    /// Completes with <see langword="true"/> once every byte appended before this call has been written to the socket
    /// (handed to the kernel, which delivers it even if this process dies next), or <see langword="false"/> if the
    /// connection closed first.
    /// </summary>
    public Task<bool> WaitUntilWrittenAsync()
    {
        lock (_lock)
        {
            if (_written >= _reserved)
            {
                return Task.FromResult(true);
            }

            if (_abandoned)
            {
                return Task.FromResult(false);
            }

            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            (_flushWaiters ??= []).Add((_reserved, done));
            return done.Task;
        }
    }

    /// <summary>The connection is gone: whoever waits for a flush learns that it will not happen.</summary>
    public void AbandonWaiters()
    {
        List<(long Target, TaskCompletionSource<bool> Done)>? waiters;
        lock (_lock)
        {
            _abandoned = true;
            waiters = _flushWaiters;
            _flushWaiters = null;
        }

        waiters?.ForEach(w => w.Done.TrySetResult(false));
    }

    /// <summary>Takes the writer role if it is free, and says who uses it. Call under the lock.</summary>
    private Turn ClaimLocked()
    {
        if (_writing)
        {
            return Turn.None;
        }

        _writing = true;
        var inline = InlineWriter is not null && !_completed && Stopwatch.GetTimestamp() - _lastWriteEnded > InlineQuietTicks;
        return inline ? Turn.Inline : Turn.Loop;
    }

    private void Go(Turn turn)
    {
        if (turn == Turn.Loop)
        {
            GiveLoopTurn();
        }
        else if (turn == Turn.Inline)
        {
            WriteInline();
        }
    }

    /// <summary>
    /// Writes on this thread what is buffered, once, without blocking. The role then goes back (nothing more to write),
    /// or to the loop (the socket took only part, or more was appended meanwhile).
    /// </summary>
    private void WriteInline()
    {
        ArraySegment<byte> batch;
        lock (_lock)
        {
            batch = TakeLocked();
            if (batch.Count == 0)
            {
                _writing = false;
                return;
            }
        }

        var sent = InlineWriter!.TrySend(batch);
        if (sent < 0)
        {
            // The connection is failing; its close completes the buffer. The role stays taken: nothing more is written.
            InlineWriter.OnSendFailed();
            return;
        }

        bool drained;
        List<TaskCompletionSource<bool>>? flushed;
        List<RoomRequest>? granted;
        var toLoop = false;
        lock (_lock)
        {
            drained = CountWrittenLocked(sent, out flushed, out granted);
            if (sent < batch.Count)
            {
                _carry = batch[sent..];
                toLoop = true;
            }
            else if (_length > 0 || _counters.Count > 0 || _completed)
            {
                toLoop = true;
            }
            else
            {
                _writing = false;
            }
        }

        if (toLoop)
        {
            GiveLoopTurn();
        }

        if (flushed is not null || drained || granted is not null)
        {
            // Flush waiters and the router (which takes its own locks) must not run on an appender, which may hold one.
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Buffer.Settle(state.Flushed, state.Drained, state.Granted),
                (Buffer: this, Flushed: flushed, Drained: drained, Granted: granted),
                preferLocal: false);
        }
    }

    private void GiveLoopTurn()
    {
        _loopTurn.Release();
        LoopTurnGiven?.Invoke();
    }

    /// <summary>Swaps out everything buffered (counters included) as one batch. Call under the lock.</summary>
    private ArraySegment<byte> TakeLocked()
    {
        WriteCountersLocked();
        if (_length == 0)
        {
            return ArraySegment<byte>.Empty;
        }

        var taken = new ArraySegment<byte>(_current, 0, _length);
        _inFlight = _length;
        _current = _spare.Length > ShrinkAbove || _spare.Length == 0 ? new byte[InitialSize] : _spare;
        _spare = taken.Array!;
        _length = 0;
        return taken;
    }

    /// <summary>Counts written bytes; returns whether congestion cleared and which flush waiters are done. Call under the lock.</summary>
    private bool CountWrittenLocked(int bytes, out List<TaskCompletionSource<bool>>? flushed, out List<RoomRequest>? granted)
    {
        _lastWriteEnded = Stopwatch.GetTimestamp();
        _written += bytes;
        _inFlight = Math.Max(0, _inFlight - bytes);
        flushed = null;
        if (_flushWaiters is { Count: > 0 } waiters)
        {
            flushed = [.. waiters.Where(w => w.Target <= _written).Select(w => w.Done)];
            waiters.RemoveAll(w => w.Target <= _written);
        }

        // Room was made: frames waiting for it go next (their appends are written by the writer that called this).
        granted = _roomQueue.Count > 0 ? GrantLocked() : null;
        return DrainedLocked();
    }

    /// <summary>Whether a congested buffer is below its limit again (then it no longer counts as congested). Call under the lock.</summary>
    private bool DrainedLocked()
    {
        var drained = _congested && CommittedLocked <= CongestionLimit;
        if (drained)
        {
            _congested = false;
        }

        return drained;
    }

    private void Settle(List<TaskCompletionSource<bool>>? flushed, bool drained, List<RoomRequest>? granted = null)
    {
        granted?.ForEach(request => request.Done!.TrySetResult(true));
        flushed?.ForEach(done => done.TrySetResult(true));
        if (drained)
        {
            Drained?.Invoke();
        }
    }

    private void AddToCounterLocked(FrameKind kind, uint channelId, uint count)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counters, (kind, channelId), out _);
        slot += count;
    }

    private void WriteCountersLocked()
    {
        if (_counters.Count == 0)
        {
            return;
        }

        foreach (var ((kind, channelId), count) in _counters)
        {
            var destination = Reserve(FrameFormat.HeaderSize + 8);
            FrameFormat.WriteHeader(destination, kind, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[5..], channelId);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[9..], count);
        }

        _counters.Clear();
    }

    private Span<byte> Reserve(int count)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Reserve runs under the buffer lock.");
        if (_current.Length - _length < count)
        {
            var needed = (long)_length + count;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"The outbound buffer cannot hold {needed} bytes.");
            }

            var grown = new byte[(int)Math.Min(Array.MaxLength, Math.Max((long)_current.Length * 2, needed))];
            _current.AsSpan(0, _length).CopyTo(grown);
            _current = grown;
        }

        var span = _current.AsSpan(_length, count);
        _length += count;
        _reserved += count;
        return span;
    }
}
