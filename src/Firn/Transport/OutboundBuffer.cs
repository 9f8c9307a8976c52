using System.Buffers.Binary;
using System.Diagnostics;

namespace Firn.Transport;

/// <summary>
/// Frames waiting to be written to one socket. Producers append under a short lock; one writer loop
/// takes everything appended so far in a single swap and sends it with one system call, so a busy
/// connection coalesces many frames per write and an idle one sends each frame at once.
/// Small counters (send credits, acknowledgements) are summed per channel and written once per batch.
/// </summary>
internal sealed class OutboundBuffer
{
    /// <summary>An idle connection's buffer is small (a process may have many idle children); a busy one grows by doubling.</summary>
    private const int InitialSize = 4 * 1024;
    private const int ShrinkAbove = 4 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly Dictionary<(FrameKind Kind, uint ChannelId), uint> _counters = [];
    private byte[] _current = new byte[InitialSize];
    private byte[] _spare = [];
    private int _length;
    private bool _signalled;
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

    /// <summary>The default congestion limit: 64 MiB waiting to be written.</summary>
    public const int DefaultCongestionLimit = 64 * 1024 * 1024;

    /// <summary>The default hard limit: 256 MiB waiting to be written.</summary>
    public const int DefaultHardLimit = 256 * 1024 * 1024;

    /// <summary>Pending bytes above which <see cref="IsCongested"/> is true.</summary>
    public int CongestionLimit { get; }

    /// <summary>Pending bytes the buffer never exceeds: a frame that would is refused, and <see cref="Overflowed"/> is raised.</summary>
    public int HardLimit { get; }

    /// <summary>
    /// Raised once, outside the buffer's lock, when a frame was refused because the peer is not reading (the hard limit).
    /// The buffer refuses every frame from then on; its owner closes the connection.
    /// </summary>
    public event Action? Overflowed;

    /// <summary>
    /// Whether more than <see cref="CongestionLimit"/> bytes wait to be written: the peer is not reading.
    /// The router stops delivering to a congested peer until <see cref="Drained"/> fires.
    /// </summary>
    public bool IsCongested => Volatile.Read(ref _length) > CongestionLimit;

    /// <summary>Raised on the write loop once a congested buffer has been written down below the limit.</summary>
    public event Action? Drained;

    /// <summary>Bytes appended and not yet taken by the writer loop.</summary>
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
    public bool Append(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var bodyLength = prefix.Length + payload.Length;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            if ((long)_length + FrameFormat.HeaderSize + bodyLength <= HardLimit)
            {
                var destination = Reserve(FrameFormat.HeaderSize + bodyLength);
                FrameFormat.WriteHeader(destination, kind, bodyLength);
                prefix.CopyTo(destination[FrameFormat.HeaderSize..]);
                payload.CopyTo(destination[(FrameFormat.HeaderSize + prefix.Length)..]);
                _congested |= _length > CongestionLimit;
                SignalLocked();
                return true;
            }

            // The peer is not reading: refuse this frame and every later one; the owner closes the connection.
            _completed = true;
            SignalLocked();
        }

        Overflowed?.Invoke();
        return false;
    }

    /// <summary>Appends a frame whose body is a channel id and a payload (the hot path for messages).</summary>
    public bool AppendChannelFrame(FrameKind kind, uint channelId, ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, channelId);
        return Append(kind, prefix, payload);
    }

    /// <summary>Adds <paramref name="count"/> to a per-channel counter that is written as one frame at the next flush.</summary>
    public void AddCounter(FrameKind kind, uint channelId, uint count)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            AddToCounterLocked(kind, channelId, count);
            SignalLocked();
        }
    }

    /// <summary>Refuses further frames; the writer loop ends after sending what is already buffered.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            SignalLocked();
        }
    }

    /// <summary>Waits for frames and returns everything buffered, or an empty segment once completed and drained.</summary>
    /// <remarks>The returned array stays valid until the next call. Only the writer loop calls this.</remarks>
    public async ValueTask<ArraySegment<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _signalled = false;
                WriteCountersLocked();
                if (_length == 0)
                {
                    if (_completed)
                    {
                        return ArraySegment<byte>.Empty;
                    }

                    continue;
                }

                var taken = new ArraySegment<byte>(_current, 0, _length);
                _inFlight = _length;
                _current = _spare.Length > ShrinkAbove || _spare.Length == 0 ? new byte[InitialSize] : _spare;
                _spare = taken.Array!;
                _length = 0;
                if (_completed)
                {
                    // Stay signalled so that the next call reports the end instead of waiting forever.
                    SignalLocked();
                }

                return taken;
            }
        }
    }

    /// <summary>Called by the write loop after a batch was written; raises <see cref="Drained"/> when congestion has cleared.</summary>
    public void OnBatchWritten()
    {
        bool drained;
        List<TaskCompletionSource<bool>>? flushed = null;
        lock (_lock)
        {
            drained = _congested && _length <= CongestionLimit;
            if (drained)
            {
                _congested = false;
            }

            _written += _inFlight;
            _inFlight = 0;
            if (_flushWaiters is { Count: > 0 } waiters)
            {
                flushed = [.. waiters.Where(w => w.Target <= _written).Select(w => w.Done)];
                waiters.RemoveAll(w => w.Target <= _written);
            }
        }

        flushed?.ForEach(done => done.TrySetResult(true));

        if (drained)
        {
            Drained?.Invoke();
        }
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

    private void SignalLocked()
    {
        if (!_signalled)
        {
            _signalled = true;
            _signal.Release();
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
