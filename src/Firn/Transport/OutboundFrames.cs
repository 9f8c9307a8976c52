using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>
/// The bytes of one <see cref="OutboundBuffer"/>: the frames appended and not yet taken, in one array that a writer
/// takes whole (swapped with a spare, so an idle connection keeps two small arrays and a busy one two grown ones, of
/// at most <see cref="ShrinkAbove"/> bytes); beyond that, in arrays rented from the shared pool, which a writer takes
/// one at a time and which go back once written (large frames are copied once, never moved again by growth, and
/// cost no allocation each); the
/// per-channel counters (send credits, released bytes, acknowledgements), summed until the next batch and written as
/// one frame each at its end; and the byte counts the limits read (<see cref="Unwritten"/>).
/// </summary>
/// <remarks>
/// Not thread-safe. Every member is used under the owning buffer's lock, except <see cref="UnwrittenBytes"/>, which
/// reads the two byte counts without it (each write of them is atomic; the difference may be a moment old).
/// </remarks>
internal sealed class OutboundFrames
{
    /// <summary>An idle connection's buffer is small (a process may have many idle children); a busy one grows by doubling.</summary>
    internal const int InitialSize = 4 * 1024;

    /// <summary>
    /// The largest array a connection keeps: appends that would grow it further go on in arrays rented from the shared
    /// pool (a burst of large frames should not pin its arrays).
    /// </summary>
    internal const int ShrinkAbove = 1024 * 1024;

    private readonly Lock _guard;

    /// <summary>Counters added since the last batch, by kind and channel (guarded by the owner's lock).</summary>
    private readonly Dictionary<(FrameKind Kind, uint ChannelId), uint> _counters = [];

    /// <summary>Appended frames: the first <see cref="_length"/> bytes (guarded by the owner's lock).</summary>
    private byte[] _current = new byte[InitialSize];

    /// <summary>Whether <see cref="_current"/> was rented from the shared pool (guarded by the owner's lock).</summary>
    private bool _currentRented;

    /// <summary>A kept array that no batch uses, which becomes <see cref="_current"/> at a take (guarded by the owner's lock).</summary>
    private byte[] _spare = [];

    /// <summary>Full arrays waiting to be taken, oldest first, with their lengths (guarded by the owner's lock).</summary>
    private readonly Queue<(byte[] Array, int Length, bool Rented)> _sealed = new();

    /// <summary>Bytes in <see cref="_sealed"/> (guarded by the owner's lock).</summary>
    private int _sealedBytes;

    /// <summary>The array of the batch last taken (valid for its writer until the next take), and whether it was rented (guarded by the owner's lock).</summary>
    private byte[]? _inHand;
    private bool _inHandRented;

    /// <summary>Bytes of <see cref="_current"/> in use (guarded by the owner's lock).</summary>
    private int _length;

    /// <summary>Bytes ever appended, counters included (written under the owner's lock; read without it by <see cref="UnwrittenBytes"/>).</summary>
    private long _appended;

    /// <summary>Bytes ever handed to the socket (written under the owner's lock; read without it by <see cref="UnwrittenBytes"/>).</summary>
    private long _written;

    /// <summary>Bytes of the batch in hand (taken, or carried) not yet counted as written (guarded by the owner's lock).</summary>
    private int _inFlight;

    /// <summary>What an inline write left unsent, in the array in hand, for the write loop (guarded by the owner's lock).</summary>
    private ArraySegment<byte> _carry;

    /// <param name="guard">The owning buffer's lock, which guards this (checked in Debug builds).</param>
    public OutboundFrames(Lock guard) => _guard = guard;

    /// <summary>Bytes appended and not yet taken by a writer.</summary>
    public int Length => _length + _sealedBytes;

    /// <summary>Whether anything waits to be taken: frames, or counters not yet written as frames.</summary>
    public bool HasWork => Length > 0 || _counters.Count > 0;

    /// <summary>Bytes ever appended.</summary>
    public long Appended => _appended;

    /// <summary>Bytes ever handed to the socket.</summary>
    public long Written => _written;

    /// <summary>Bytes appended and not yet handed to the socket: those waiting here and the rest of the batch in hand.</summary>
    public long Unwritten => _appended - _written;

    /// <summary><see cref="Unwritten"/>, read without the lock.</summary>
    public long UnwrittenBytes => Volatile.Read(ref _appended) - Volatile.Read(ref _written);

    /// <summary>Bytes of the batch in hand not yet counted as written.</summary>
    public int InFlight => _inFlight;

    /// <summary>Appends one frame whose body is <paramref name="prefix"/> followed by <paramref name="payload"/>.</summary>
    public void Append(FrameKind kind, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var destination = Reserve(FrameFormat.HeaderSize + prefix.Length + payload.Length);
        FrameFormat.WriteHeader(destination, kind, prefix.Length + payload.Length);
        prefix.CopyTo(destination[FrameFormat.HeaderSize..]);
        payload.CopyTo(destination[(FrameFormat.HeaderSize + prefix.Length)..]);
    }

    /// <summary>Appends one frame whose body is <paramref name="channelId"/> followed by <paramref name="payload"/>.</summary>
    public void AppendChannelFrame(FrameKind kind, uint channelId, ReadOnlySpan<byte> payload)
    {
        var bodyLength = FrameFormat.ChannelIdSize + payload.Length;
        var destination = Reserve(FrameFormat.HeaderSize + bodyLength);
        FrameFormat.WriteHeader(destination, kind, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[FrameFormat.HeaderSize..], channelId);
        payload.CopyTo(destination[(FrameFormat.HeaderSize + FrameFormat.ChannelIdSize)..]);
    }

    /// <summary>Appends a whole frame, header included (a held frame let in).</summary>
    public void AppendEncoded(ReadOnlySpan<byte> frame) => frame.CopyTo(Reserve(frame.Length));

    /// <summary>Adds <paramref name="count"/> to the counter of <paramref name="kind"/> on <paramref name="channelId"/>.</summary>
    public void AddCounter(FrameKind kind, uint channelId, uint count)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Counters are added under the buffer's lock.");
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counters, (kind, channelId), out _);
        slot += count;
    }

    /// <summary>
    /// Takes everything appended as one batch, the counters written last as one frame each; it is in hand until counted
    /// written (<see cref="CountWritten"/>). Empty if nothing waits.
    /// </summary>
    /// <remarks>
    /// The batch's array stays valid until the next take, which makes it the spare (or gives it back to the pool). A full
    /// array waiting is a batch of its own: the next takes return the rest, oldest first.
    /// </remarks>
    public ArraySegment<byte> Take()
    {
        // A carry lives in the array in hand: a take now would hand that array on while the loop still has to send it.
        Debug.Assert(_carry.Array is null, "The write loop takes the carried rest of an inline write before any new batch.");
        ReleaseInHand();
        if (_sealed.TryDequeue(out var full))
        {
            _sealedBytes -= full.Length;
            (_inHand, _inHandRented, _inFlight) = (full.Array, full.Rented, full.Length);
            AssertInvariants();
            return new ArraySegment<byte>(full.Array, 0, full.Length);
        }

        WriteCounters();
        if (_length == 0)
        {
            return ArraySegment<byte>.Empty;
        }

        var taken = new ArraySegment<byte>(_current, 0, _length);
        (_inHand, _inHandRented, _inFlight) = (_current, _currentRented, _length);
        _current = _spare.Length == 0 ? new byte[InitialSize] : _spare;
        _currentRented = false;
        _spare = [];
        _length = 0;
        AssertInvariants();
        return taken;
    }

    /// <summary>The batch in hand is done: its array becomes the spare, or goes back to the pool.</summary>
    private void ReleaseInHand()
    {
        if (_inHand is not { } array)
        {
            return;
        }

        _inHand = null;
        if (_inHandRented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        else if (_spare.Length == 0)
        {
            _spare = array;
        }
    }

    /// <summary>Keeps what an inline write of the batch in hand left unsent, for the write loop (<see cref="TryTakeCarry"/>).</summary>
    public void Carry(ArraySegment<byte> rest)
    {
        Debug.Assert(ReferenceEquals(rest.Array, _inHand) && rest.Count == _inFlight, "The carry is the unsent end of the batch in hand.");
        _carry = rest;
    }

    /// <summary>Takes the rest an inline write left (<see cref="Carry"/>), if any: the write loop sends it before any new batch.</summary>
    public bool TryTakeCarry(out ArraySegment<byte> carry)
    {
        carry = _carry;
        if (carry.Array is null)
        {
            return false;
        }

        _carry = default;
        _inFlight = carry.Count;
        return true;
    }

    /// <summary>Counts <paramref name="bytes"/> of the batch in hand as written to the socket.</summary>
    public void CountWritten(int bytes)
    {
        Debug.Assert(bytes >= 0, "A write hands a non-negative count of bytes to the socket.");
        _written += bytes;
        _inFlight = Math.Max(0, _inFlight - bytes);
        AssertInvariants();
    }

    /// <summary>Checks what must hold whenever the owner's lock is released (Debug builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "The frames are read and changed under the buffer's lock.");
        Debug.Assert(_length >= 0 && _length <= _current.Length, $"The length {_length} lies within the buffer of {_current.Length} bytes.");
        Debug.Assert(_sealedBytes >= 0 && (_sealedBytes == 0) == (_sealed.Count == 0), "The sealed bytes count the full arrays waiting.");
        Debug.Assert(_inFlight >= 0, $"The bytes in flight ({_inFlight}) are not negative.");
        Debug.Assert(_written <= _appended, $"No more bytes were written ({_written}) than appended ({_appended}).");

        // At most (not exactly): a test's loop may take a batch and the next without counting the first as written.
        Debug.Assert(Length + (long)_inFlight <= _appended - _written, $"The bytes here ({Length}) and in hand ({_inFlight}) are unwritten ({_appended - _written}).");
        Debug.Assert(_carry.Array is null || (ReferenceEquals(_carry.Array, _inHand) && _carry.Count == _inFlight), "A carry is the unsent end of the batch in hand.");
        Debug.Assert(!ReferenceEquals(_current, _spare) && !ReferenceEquals(_current, _inHand) && (_inHand is null || !ReferenceEquals(_spare, _inHand)), "Appends never go to the array of the batch in hand, nor to the spare.");
    }

    private void WriteCounters()
    {
        if (_counters.Count == 0)
        {
            return;
        }

        foreach (var ((kind, channelId), count) in _counters)
        {
            var destination = Reserve(FrameFormat.HeaderSize + FrameFormat.CounterBodySize);
            FrameFormat.WriteHeader(destination, kind, FrameFormat.CounterBodySize);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[FrameFormat.HeaderSize..], channelId);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[FrameFormat.CounterCountOffset..], count);
        }

        _counters.Clear();
    }

    /// <summary>Puts the current array aside as a full batch, and goes on in one rented for at least <paramref name="count"/> bytes.</summary>
    private void Seal(int count)
    {
        if (_length > 0)
        {
            if (_sealedBytes > int.MaxValue - _length)
            {
                throw new InvalidOperationException($"The outbound buffer cannot hold {(long)_sealedBytes + _length} bytes.");
            }

            _sealed.Enqueue((_current, _length, _currentRented));
            _sealedBytes += _length;
        }
        else if (_currentRented)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }
        else if (_spare.Length == 0)
        {
            _spare = _current;
        }

        _current = ArrayPool<byte>.Shared.Rent(Math.Max(count, ShrinkAbove));
        _currentRented = true;
        _length = 0;
    }

    private Span<byte> Reserve(int count)
    {
        Debug.Assert(_guard.IsHeldByCurrentThread, "Frames are appended under the buffer's lock.");
        if (_current.Length - _length < count)
        {
            var needed = (long)_length + count;
            if (!_currentRented && needed <= ShrinkAbove)
            {
                var grown = new byte[(int)Math.Min(ShrinkAbove, Math.Max((long)_current.Length * 2, needed))];
                _current.AsSpan(0, _length).CopyTo(grown);
                _current = grown;
            }
            else
            {
                Seal(count);
            }
        }

        var span = _current.AsSpan(_length, count);
        _length += count;
        _appended += count;
        return span;
    }
}
