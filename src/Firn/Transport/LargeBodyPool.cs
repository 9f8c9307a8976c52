namespace Firn.Transport;

/// <summary>
/// Arrays for received bodies too large for a connection's read buffer, reused once given back. A large array that is
/// allocated anew for every message goes to the large-object heap, which only full collections reclaim: they run again
/// and again, free pages are decommitted and every new array lands on memory that is cold or not mapped (measured: the
/// allocation halved a child's throughput of 1 MiB messages, docs/performance.md). Reuse keeps the memory warm.
/// </summary>
/// <remarks>
/// Unlike the shared array pool, whose sizes are powers of two (a 1 MiB message plus its header would take a 2 MiB
/// array), an array here is at most a quarter larger than the body it holds, so memory held by messages stays close to
/// the bytes the limits count. It keeps at most <see cref="MaxArrays"/> arrays and <see cref="MaxBytes"/> bytes; beyond
/// that, an array given back is left to the collector. Arrays kept through a whole <see cref="TrimInterval"/> in which
/// nothing was rented are dropped, so a process that once received large messages does not hold them for ever.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The timer stops itself once the pool keeps nothing; the shared pool lives as long as the process.")]
internal sealed class LargeBodyPool
{
    /// <summary>The most arrays kept for reuse.</summary>
    internal const int MaxArrays = 16;

    /// <summary>The most bytes kept for reuse.</summary>
    internal const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>How often a pool with arrays looks whether it was used since it last looked.</summary>
    internal static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly byte[]?[] _arrays = new byte[MaxArrays][];
    private long _bytes;

    /// <summary>Whether anything was rented since the last <see cref="Trim"/> (guarded by <see cref="_gate"/>).</summary>
    private bool _rentedSinceTrim;

    /// <summary>Runs <see cref="Trim"/> while the pool keeps arrays, with <see cref="_trims"/> set (guarded by <see cref="_gate"/>).</summary>
    private Timer? _trimmer;
    private readonly bool _trims;

    /// <param name="trims">Whether a timer drops arrays not reused for a <see cref="TrimInterval"/> (tests call <see cref="Trim"/> themselves).</param>
    public LargeBodyPool(bool trims = false) => _trims = trims;

    /// <summary>The pool every connection reads large bodies into.</summary>
    public static LargeBodyPool Shared { get; } = new(trims: true);

    /// <summary>An array of at least <paramref name="length"/> bytes and at most a quarter more, not cleared.</summary>
    public byte[] Rent(int length)
    {
        var most = length + (length / 4);
        lock (_gate)
        {
            _rentedSinceTrim = true;
            for (var i = 0; i < _arrays.Length; i++)
            {
                if (_arrays[i] is { } array && array.Length >= length && array.Length <= most)
                {
                    _arrays[i] = null;
                    _bytes -= array.Length;
                    return array;
                }
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Gives an array back for reuse; the caller must not touch it again.</summary>
    public void Return(byte[] array)
    {
        lock (_gate)
        {
            if (_bytes + array.Length > MaxBytes)
            {
                return;
            }

            for (var i = 0; i < _arrays.Length; i++)
            {
                if (_arrays[i] is null)
                {
                    _arrays[i] = array;
                    _bytes += array.Length;
                    if (_trims && _trimmer is null)
                    {
                        _trimmer = new Timer(static pool => ((LargeBodyPool)pool!).Trim(), this, TrimInterval, TrimInterval);
                    }

                    return;
                }
            }
        }
    }

    /// <summary>Drops the arrays kept if nothing was rented since the last call; the timer stops once nothing is kept.</summary>
    internal void Trim()
    {
        lock (_gate)
        {
            if (!_rentedSinceTrim)
            {
                Array.Clear(_arrays);
                _bytes = 0;
                _trimmer?.Dispose();
                _trimmer = null;
            }

            _rentedSinceTrim = false;
        }
    }

    /// <summary>The arrays kept now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _arrays.Count(a => a is not null);
            }
        }
    }
}
