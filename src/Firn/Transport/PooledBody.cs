using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>
/// A received body in an array from <see cref="LargeBodyPool"/>, shared by whoever keeps a part of it, and given back to
/// the pool when the last of them lets go: the connection that read it, and each holder that kept it
/// (<see cref="ReceivedBody.Keep"/>) and later released it (<see cref="ReceivedBody.Release"/>).
/// </summary>
/// <remarks>
/// A holder that never releases costs nothing but the reuse: the array is then left to the collector. So a holder whose
/// bytes went to code that might keep referring to them (a serializer Firn does not know) simply never releases. Giving
/// the array back while anyone still reads it would hand those bytes to the next message, so a holder releases only
/// after its last read.
/// </remarks>
internal sealed class PooledBody : MemoryManager<byte>
{
    private readonly LargeBodyPool _pool;
    private readonly byte[] _array;
    private readonly int _length;

    /// <summary>The holders; the array goes back to the pool when it drops to zero.</summary>
    private int _holders = 1;

    private PooledBody(LargeBodyPool pool, int length)
    {
        _pool = pool;
        _array = pool.Rent(length);
        _length = length;
    }

    /// <summary>Copies larger than this are pooled (<see cref="HeldCopy"/>): the size past which a connection reads a body into one.</summary>
    internal const int PooledAbove = 256 * 1024;

    /// <summary>
    /// A copy of <paramref name="bytes"/> held by the caller: in a pooled body when larger than <see cref="PooledAbove"/>
    /// (so a process that sends many large messages does not allocate a large-object array for each), else in an array
    /// of its own. Release it (<see cref="ReceivedBody.Release"/>) after its last read, or never.
    /// </summary>
    public static ReadOnlyMemory<byte> HeldCopy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= PooledAbove)
        {
            return ByteArrays.Copy(bytes);
        }

        var body = Rent(bytes.Length);
        bytes.CopyTo(body.Array);
        return body.Memory;
    }

    /// <summary>A body of <paramref name="length"/> bytes from <paramref name="pool"/> (by default the shared one), held by the caller.</summary>
    public static PooledBody Rent(int length, LargeBodyPool? pool = null) => new(pool ?? LargeBodyPool.Shared, length);

    /// <summary>The whole array, to read the body into; only its first <see cref="Length"/> bytes are the body.</summary>
    public byte[] Array => _array;

    /// <summary>The body's length.</summary>
    public int Length => _length;

    /// <summary>Whether the array went back to the pool (for tests).</summary>
    internal bool Returned => Volatile.Read(ref _holders) == 0;

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

    /// <summary>A holder lets go; the last gives the array back to the pool.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left == 0)
        {
            _pool.Return(_array);
        }

        // Not thrown: a release runs under the router's lock, whose state an exception would leave half changed. The
        // array already went back when the count reached zero; nothing more is returned.
        Debug.Assert(left >= 0, "A pooled body was released more often than it was held.");
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _array.AsSpan(0, _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
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
