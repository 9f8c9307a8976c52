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
    private readonly byte[] _id = new byte[4];
    private int _headerBytes;
    private long _bodyRemaining;
    private FrameKind _kind;
    private int _idBytes;

    /// <summary>
    /// Raised, as the bytes are handed to <see cref="Advance"/> (before they are sent), for every frame the main process
    /// will read whose body has at least 4 bytes: its kind and the u32 that opens its body (the request, call, channel or
    /// invocation id of most child frames), as the main process's decoder will see them.
    /// </summary>
    public event Action<FrameKind, uint>? FrameId;

    /// <summary>Whether the main process has seen a header announcing more than its limit (it closes the connection).</summary>
    public bool OverLimit { get; private set; }

    public void Advance(ReadOnlySpan<byte> sent, int maxBodyLength)
    {
        while (!sent.IsEmpty && !OverLimit)
        {
            if (_bodyRemaining > 0)
            {
                var take = (int)Math.Min(_bodyRemaining, sent.Length);
                if (_idBytes < _id.Length)
                {
                    var idTake = Math.Min(_id.Length - _idBytes, take);
                    sent[..idTake].CopyTo(_id.AsSpan(_idBytes));
                    _idBytes += idTake;
                    if (_idBytes == _id.Length)
                    {
                        FrameId?.Invoke(_kind, BinaryPrimitives.ReadUInt32LittleEndian(_id));
                    }
                }

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
                _kind = (FrameKind)_header[4];

                // A body too short for an id gets no reply: the main process closes the connection for it.
                _idBytes = length >= _id.Length ? 0 : _id.Length;
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
