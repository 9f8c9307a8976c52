using System.Buffers.Binary;
using System.Collections.Concurrent;
using Firn.Rpc;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Makes a fake child answer the calls the main process routes to it as a correct child does: a unary call gets a
/// nil result; a stream sends an item whenever it has credit, five in all, then its result. Whatever other children
/// do to those calls (cancel them, grant odd credits), a correct handler must never be disconnected.
/// </summary>
internal sealed class HonestHandler
{
    private const int ItemsPerStream = 5;

    private readonly FakeChild _child;
    private readonly ConcurrentDictionary<uint, Stream> _streams = new();

    public HonestHandler(FakeChild child)
    {
        _child = child;
        child.FrameReceived += OnFrame;
    }

    /// <summary>Invocations answered so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    private int _answered;

    private void OnFrame(ReceivedFrame frame)
    {
        switch (frame.Kind)
        {
            case FrameKind.RpcInvoke:
                var reader = new BodyReader(frame.Body);
                var (id, flags, credit, _, _) = RpcFrames.ReadInvoke(ref reader);
                if ((flags & RpcFlags.Stream) == 0)
                {
                    Answer(id);
                }
                else
                {
                    var stream = new Stream(credit);
                    _streams[id] = stream;
                    Pump(id, stream);
                }

                break;
            case FrameKind.RpcInvocationCredit when frame.Body.Length == 8 && _streams.TryGetValue(frame.Id, out var granted):
                lock (granted)
                {
                    granted.Credit += BinaryPrimitives.ReadUInt32LittleEndian(frame.Body.AsSpan(4));
                }

                Pump(frame.Id, granted);
                break;
            case FrameKind.RpcCancelInvocation when _streams.TryRemove(frame.Id, out _):
                Answer(frame.Id);
                break;
        }
    }

    /// <summary>Sends the items the credit allows (at most one per call, so grants keep it going), then the end of the stream.</summary>
    private void Pump(uint id, Stream stream)
    {
        bool item, end;
        lock (stream)
        {
            item = stream.Credit > 0 && stream.Sent < ItemsPerStream;
            if (item)
            {
                stream.Credit--;
                stream.Sent++;
            }

            end = stream.Sent == ItemsPerStream;
        }

        if (item)
        {
            _ = _child.SendAsync(ChildFrames.RpcStreamItem(id, [(byte)stream.Sent]));
        }

        if (end && _streams.TryRemove(id, out _))
        {
            Answer(id);
        }
    }

    private void Answer(uint id)
    {
        Interlocked.Increment(ref _answered);
        _ = _child.SendAsync(ChildFrames.RpcResult(id, (byte)RpcStatus.Ok, [0xC0]));
    }

    private sealed class Stream(long credit)
    {
        public long Credit { get; set; } = credit;

        public int Sent { get; set; }
    }
}
