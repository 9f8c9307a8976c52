using System.Buffers;
using System.Diagnostics;

namespace Firn.Channels;

/// <summary>
/// A per-thread scratch buffer for serializing one message at a time. Small messages go to an array the thread keeps
/// (at most <see cref="KeepBelow"/> bytes); a larger one goes to an array rented from the shared pool, which goes back
/// at the thread's next <see cref="Rent"/>: large messages cost no allocation each (no large-object-heap churn), and a
/// thread never keeps more than one large array out of the pool.
/// </summary>
internal sealed class SerializationBuffer : IBufferWriter<byte>
{
    /// <summary>The largest array a thread keeps for itself between messages.</summary>
    internal const int KeepBelow = 1024 * 1024;

    private const int InitialSize = 256;

    [ThreadStatic]
    private static SerializationBuffer? s_threadBuffer;

    /// <summary>The array this thread keeps (grown by doubling, up to <see cref="KeepBelow"/>).</summary>
    private byte[] _owned = new byte[InitialSize];

    /// <summary><see cref="_owned"/>, or an array rented from the shared pool for a large message.</summary>
    private byte[] _array;

    private int _written;

    private SerializationBuffer() => _array = _owned;

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>The bytes written so far; valid until the thread's next <see cref="Rent"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    /// <summary>The bytes written so far, to patch a length written before them.</summary>
    public Span<byte> Written => _array.AsSpan(0, _written);

    /// <summary>The calling thread's buffer, empty.</summary>
    public static SerializationBuffer Rent()
    {
        var buffer = s_threadBuffer ??= new SerializationBuffer();
        buffer.Reset();
        return buffer;
    }

    /// <summary>Empties the buffer, giving a rented array back to the pool.</summary>
    public void Reset()
    {
        if (!ReferenceEquals(_array, _owned))
        {
            var rented = _array;
            _array = _owned;
            ArrayPool<byte>.Shared.Return(rented);
        }

        _written = 0;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _written + count <= _array.Length, "Advance stays within the span handed out.");
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        if (_array.Length - _written < Math.Max(sizeHint, 1))
        {
            Grow(sizeHint);
        }
    }

    private void Grow(int sizeHint)
    {
        var needed = (long)_written + Math.Max(sizeHint, 1);
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A message cannot be serialized into more than {Array.MaxLength} bytes.");
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _array.Length));
        var old = _array;
        var oldRented = !ReferenceEquals(old, _owned);
        if (size <= KeepBelow)
        {
            _owned = new byte[size];
            _array = _owned;
        }
        else
        {
            // A bin header with its payload asks once for all of it: one step, one copy.
            _array = ArrayPool<byte>.Shared.Rent(size);
        }

        old.AsSpan(0, _written).CopyTo(_array);
        if (oldRented)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
