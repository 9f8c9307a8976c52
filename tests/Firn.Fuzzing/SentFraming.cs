using System.Buffers.Binary;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Follows the frame boundaries of the bytes a fake child has sent, as the main process's decoder sees them, so the
/// child can finish a frame that a fuzzed stream left open (with zero filler) and know when the main process must
/// have closed the connection for an announced length over its limit.
/// </summary>
internal sealed class SentFraming
{
    private readonly byte[] _header = new byte[FrameFormat.HeaderSize];
    private int _headerBytes;
    private long _bodyRemaining;

    /// <summary>Whether the main process has seen a header announcing more than its limit (it closes the connection).</summary>
    public bool OverLimit { get; private set; }

    public void Advance(ReadOnlySpan<byte> sent, int maxBodyLength)
    {
        while (!sent.IsEmpty && !OverLimit)
        {
            if (_bodyRemaining > 0)
            {
                var take = (int)Math.Min(_bodyRemaining, sent.Length);
                _bodyRemaining -= take;
                sent = sent[take..];
                continue;
            }

            var headerTake = Math.Min(FrameFormat.HeaderSize - _headerBytes, sent.Length);
            sent[..headerTake].CopyTo(_header.AsSpan(_headerBytes));
            _headerBytes += headerTake;
            sent = sent[headerTake..];
            if (_headerBytes == FrameFormat.HeaderSize)
            {
                _headerBytes = 0;
                var length = BinaryPrimitives.ReadUInt32LittleEndian(_header);
                OverLimit = length > maxBodyLength;
                _bodyRemaining = length;
            }
        }
    }

    /// <summary>
    /// How many zero bytes finish the frame in progress (0 at a boundary). Zeros that complete a header make its
    /// length known; if that length is over the limit, only the header is finished (the main process closes then).
    /// </summary>
    public long BytesToFinishFrame(int maxBodyLength)
    {
        if (OverLimit)
        {
            return 0;
        }

        if (_headerBytes == 0)
        {
            return _bodyRemaining;
        }

        Span<byte> header = stackalloc byte[FrameFormat.HeaderSize];
        header.Clear();
        _header.AsSpan(0, _headerBytes).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var toHeader = FrameFormat.HeaderSize - _headerBytes;
        return length > maxBodyLength ? toHeader : toHeader + length;
    }
}
