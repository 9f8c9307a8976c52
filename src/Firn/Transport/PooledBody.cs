using System.Buffers;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>
/// A received body in an array from <see cref="LargeBodyPool"/>, shared by whoever keeps a part of it, and given back to
/// the pool when the last of them lets go: the connection that read it, and each holder that kept it
/// (<see cref="ReceivedBody.Keep"/>) and later released it (<see cref="ReceivedBody.Release"/>).
/// </summary>
/// <remarks>
/// A holder that never releases costs nothing but the reuse: the array is then left to the collector, as it is once
/// bytes of it went to code that might keep referring to them (<see cref="Disown"/>). Giving it back while anyone still
/// reads it would hand those bytes to the next message, so a holder releases only after its last read.
/// </remarks>
internal sealed class PooledBody : MemoryManager<byte>
{
    private readonly LargeBodyPool _pool;
    private readonly byte[] _array;
    private readonly int _length;

    /// <summary>The holders; the array goes back to the pool when it drops to zero.</summary>
    private int _holders = 1;

    /// <summary>Set once the array may be referred to beyond any holder: it never goes back to the pool.</summary>
    private volatile bool _disowned;

    private PooledBody(LargeBodyPool pool, int length)
    {
        _pool = pool;
        _array = pool.Rent(length);
        _length = length;
    }

    /// <summary>A body of <paramref name="length"/> bytes from <paramref name="pool"/> (by default the shared one), held by the caller.</summary>
    public static PooledBody Rent(int length, LargeBodyPool? pool = null) => new(pool ?? LargeBodyPool.Shared, length);

    /// <summary>The whole array, to read the body into; only its first <see cref="Length"/> bytes are the body.</summary>
    public byte[] Array => _array;

    /// <summary>The body's length.</summary>
    public int Length => _length;

    /// <summary>Whether the array went back to the pool (for tests).</summary>
    internal bool Returned => Volatile.Read(ref _holders) == 0 && !_disowned;

    /// <summary>One more holder.</summary>
    public void AddHolder()
    {
        var holders = Volatile.Read(ref _holders);
        while (true)
        {
            // Never from zero: the array may already be another body's.
            if (holders <= 0)
            {
                throw new InvalidOperationException("A pooled body was kept after it went back to the pool. This is a bug in Firn.");
            }

            var seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return;
            }

            holders = seen;
        }
    }

    /// <summary>A holder lets go; the last gives the array back to the pool, unless it was disowned.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left == 0 && !_disowned)
        {
            _pool.Return(_array);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A pooled body was released more often than it was held. This is a bug in Firn.");
        }
    }

    /// <summary>Something may refer to these bytes for ever: the array is never given back to the pool.</summary>
    public void Disown() => _disowned = true;

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _array.AsSpan(0, _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        unsafe
        {
            return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle);
        }
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(_array, 0, _length);
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}
