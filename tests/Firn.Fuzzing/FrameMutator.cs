using System.Buffers.Binary;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Breaks well-formed frames the ways a compromised or buggy child might: bit flips, boundary values written over
/// fields, cut bodies (with or without a corrected length), wrong lengths, wrong kinds, swapped fields, splices of
/// two frames, repeats and inserted bytes.
/// </summary>
internal static class FrameMutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF, 0xC0, 0xC1, 0xDD, 0xDF, 0xDB, 0xC9, 0x91, 0x81];

    private static readonly uint[] InterestingInts = [0, 1, 2, 63, 64, 65, 255, 256, 1024, 1025, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    /// <summary>The mutations, by name (the name goes into failure reports).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "flip bits", "interesting byte", "interesting u16", "interesting u32", "cut body", "cut frame", "wrong length",
        "wrong kind", "swap fields", "splice", "repeat", "insert bytes", "append bytes",
    ];

    /// <summary>Applies one random mutation to <paramref name="frame"/>; <paramref name="other"/> is another frame to splice with.</summary>
    public static (byte[] Frame, string Mutation) Mutate(Random random, byte[] frame, byte[] other, int maxBodyLength)
    {
        var name = random.Pick(Names);
        return (Apply(random, name, frame, other, maxBodyLength), name);
    }

    public static byte[] Apply(Random random, string mutation, byte[] frame, byte[] other, int maxBodyLength)
    {
        var bytes = (byte[])frame.Clone();
        var body = Math.Max(0, bytes.Length - FrameFormat.HeaderSize);
        switch (mutation)
        {
            case "flip bits":
                for (var i = random.Next(1, 5); i > 0 && bytes.Length > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case "interesting byte":
                if (bytes.Length > 0)
                {
                    bytes[BodyOffset(random, bytes, 1)] = random.Pick(InterestingBytes);
                }

                return bytes;
            case "interesting u16":
                if (body >= 2)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(BodyOffset(random, bytes, 2)), (ushort)random.Pick(InterestingInts));
                }

                return bytes;
            case "interesting u32":
                if (body >= 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(BodyOffset(random, bytes, 4)), random.Pick(InterestingInts));
                }

                return bytes;
            case "cut body":
                return Rebuild(bytes, bytes.AsSpan(FrameFormat.HeaderSize, random.Next(body + 1)));
            case "cut frame":
                return bytes[..random.Next(bytes.Length + 1)];
            case "wrong length":
                uint[] lengths = [0, (uint)Math.Max(0, body - 1), (uint)body + 1, (uint)maxBodyLength, (uint)maxBodyLength + 1, random.Pick(InterestingInts), (uint)random.Next(body * 2 + 2)];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, random.Pick(lengths));
                return bytes;
            case "wrong kind":
                bytes[4] = random.Next(3) switch
                {
                    0 => (byte)random.Pick(ChildFrames.ChildKinds),
                    1 => (byte)random.Pick(MainKinds),
                    _ => (byte)random.Next(256),
                };
                return bytes;
            case "swap fields":
                if (body >= 4)
                {
                    var size = random.Next(1, Math.Max(2, body / 2));
                    var a = FrameFormat.HeaderSize + random.Next(body - size + 1);
                    var b = FrameFormat.HeaderSize + random.Next(body - size + 1);
                    var first = bytes.AsSpan(a, size).ToArray();
                    bytes.AsSpan(b, size).CopyTo(bytes.AsSpan(a, size));
                    first.CopyTo(bytes.AsSpan(b, size));
                }

                return bytes;
            case "splice":
                var otherBody = other.Length > FrameFormat.HeaderSize ? other.AsSpan(FrameFormat.HeaderSize) : [];
                var keep = random.Next(body + 1);
                var from = random.Next(otherBody.Length + 1);
                return Rebuild(bytes, [.. bytes.AsSpan(FrameFormat.HeaderSize, keep), .. otherBody[from..]]);
            case "repeat":
                return [.. bytes, .. bytes];
            case "insert bytes":
                var at = FrameFormat.HeaderSize + random.Next(body + 1);
                return Rebuild(bytes, [.. bytes.AsSpan(FrameFormat.HeaderSize, at - FrameFormat.HeaderSize), .. random.Bytes(random.Next(1, 9)), .. bytes.AsSpan(at)]);
            case "append bytes":
                return Rebuild(bytes, [.. bytes.AsSpan(FrameFormat.HeaderSize), .. random.Bytes(random.Next(1, 33))]);
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "unknown mutation");
        }
    }

    private static readonly FrameKind[] MainKinds =
    [
        FrameKind.Hello, FrameKind.Welcome, FrameKind.Reject, FrameKind.ChannelOpened, FrameKind.Deliver, FrameKind.SendCredit,
        FrameKind.ChannelClosed, FrameKind.ChannelList, FrameKind.Stop, FrameKind.StoreReply, FrameKind.SubscribeReply,
        FrameKind.Publication, FrameKind.RpcRegistered, FrameKind.RpcInvoke, FrameKind.RpcCancelInvocation, FrameKind.RpcReply,
        FrameKind.RpcCallItem, FrameKind.RpcInvocationCredit,
    ];

    /// <summary>An offset where <paramref name="size"/> bytes fit, in the body when there is one.</summary>
    private static int BodyOffset(Random random, byte[] bytes, int size)
    {
        var start = bytes.Length - FrameFormat.HeaderSize >= size ? FrameFormat.HeaderSize : 0;
        return start + random.Next(bytes.Length - start - size + 1);
    }

    /// <summary>The frame's header (kind kept, length corrected) with a new body.</summary>
    private static byte[] Rebuild(byte[] frame, ReadOnlySpan<byte> body)
    {
        var kind = frame.Length > 4 ? (FrameKind)frame[4] : FrameKind.Send;
        return ChildFrames.Frame(kind, body);
    }
}
