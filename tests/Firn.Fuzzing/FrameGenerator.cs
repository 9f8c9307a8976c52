using System.Buffers.Binary;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Builds well-formed child frames of every kind from a small vocabulary, so sessions collide on the same channels,
/// keys, topics and methods, and from what a session has seen (its channel ids, the invocations it was sent), so
/// frames get past the first checks and reach deep into the dispatcher.
/// </summary>
internal static class FrameGenerator
{
    public static readonly string[] ChannelNames = ["c0", "c1", "c2", "shared"];
    public static readonly string[] TypeNames = ["System.String", "System.Int32", "System.Object", "System.Int64", "Point<Int32, List<String>>"];
    public static readonly string[] Keys = ["k0", "k1", "k2", "n", "shared"];
    public static readonly string[] Topics = ["t0", "t1", "t.a", "t.*", "t?", "*"];
    public static readonly string[] Methods = ["m0", "m1", "main.echo", "main.stream", "main.slow", "control.m", "control.stream"];

    private static readonly byte[][] SmallValues =
    [
        [0xC0], [0x01], [0x7F], [0xCC, 0xFF], [0xD3, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xA1, (byte)'x'],
        [0xA3, (byte)'a', (byte)'b', (byte)'c'], [0x92, 0x01, 0x02], [0x81, 0xA1, (byte)'a', 0x01], [0xC3], [0xC4, 0x02, 0x01, 0x02],
        [0xCB, 0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18], [0x92, 0xA2, (byte)'c', (byte)'0', 0xAD, .. "System.String"u8],
    ];

    private static readonly (FrameKind Kind, int Weight)[] Kinds =
    [
        (FrameKind.OpenChannel, 10), (FrameKind.Send, 10), (FrameKind.Attach, 6), (FrameKind.Ack, 5), (FrameKind.CloseChannel, 3),
        (FrameKind.ListChannels, 2), (FrameKind.Ready, 1), (FrameKind.Control, 1), (FrameKind.StoreRequest, 15), (FrameKind.Subscribe, 4),
        (FrameKind.Unsubscribe, 2), (FrameKind.Publish, 6), (FrameKind.RpcRegister, 5), (FrameKind.RpcUnregister, 2), (FrameKind.RpcCall, 8),
        (FrameKind.RpcCancel, 2), (FrameKind.RpcResult, 6), (FrameKind.RpcStreamItem, 4), (FrameKind.RpcStreamCredit, 3), ((FrameKind)0, 1),
    ];

    private static readonly int[] KindWeights = [.. Kinds.Select(k => k.Weight)];

    /// <summary>A well-formed frame of a random kind for <paramref name="view"/>'s session.</summary>
    public static byte[] Next(Random random, SessionView view)
    {
        var frame = NextWellFormed(random, view);

        // Strings that are not UTF-8 where a name from the wire is kept and sent to other children (channel and store
        // type names, topics): at the offset of the first string of the body.
        return random.Chance(0.03) && (FrameKind)frame[4] is FrameKind.OpenChannel or FrameKind.StoreRequest or FrameKind.Publish or FrameKind.Subscribe or FrameKind.RpcRegister
            ? WithInvalidUtf8(random, frame, (FrameKind)frame[4] switch
            {
                FrameKind.OpenChannel or FrameKind.Subscribe or FrameKind.RpcRegister => 4,
                // A random-kind frame may carry this kind with a short body: then there is no string to rewrite.
                FrameKind.StoreRequest when frame.Length >= FrameFormat.HeaderSize + 7 => 5 + 2 + BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(FrameFormat.HeaderSize + 5)),
                FrameKind.StoreRequest => frame.Length,
                _ => 0,
            })
            : frame;
    }

    public static byte[] NextWellFormed(Random random, SessionView view)
    {
        var kind = Kinds[random.Weighted(KindWeights)].Kind;
        var id = (uint)random.Next(1, 1000);
        return kind switch
        {
            FrameKind.OpenChannel => ChildFrames.OpenChannel(id, Name(random, ChannelNames), Name(random, TypeNames), random.Chance(0.2) ? (byte)1 : (byte)0),
            FrameKind.Send => ChildFrames.Send(ChannelId(random, view), Payload(random)),
            FrameKind.Attach => ChildFrames.Attach(ChannelId(random, view), (uint)random.Next(1, 16), (byte)random.Next(1, 3)),
            FrameKind.Ack => ChildFrames.Ack(ChannelId(random, view), (uint)random.Next(1, 4)),
            FrameKind.CloseChannel => ChildFrames.CloseChannel(ChannelId(random, view)),
            FrameKind.ListChannels => ChildFrames.ListChannels(id),
            FrameKind.Ready => ChildFrames.Ready(),
            FrameKind.Control => ChildFrames.Control((byte)random.Next(1, 5)),
            FrameKind.StoreRequest => StoreRequest(random, id),
            FrameKind.Subscribe => ChildFrames.Subscribe(id, Name(random, Topics)),
            FrameKind.Unsubscribe => ChildFrames.Unsubscribe(Name(random, Topics)),
            FrameKind.Publish => ChildFrames.Publish(Name(random, Topics.Where(t => !t.Contains('*') && !t.Contains('?')).ToArray()), Name(random, TypeNames), Payload(random)),
            FrameKind.RpcRegister => ChildFrames.RpcRegister(id, Name(random, Methods)),
            FrameKind.RpcUnregister => ChildFrames.RpcUnregister(Name(random, Methods)),
            FrameKind.RpcCall => RpcCall(random, view),
            FrameKind.RpcCancel => ChildFrames.RpcCancel(CallId(random, view)),
            FrameKind.RpcResult => RpcResult(random, view),
            FrameKind.RpcStreamItem => ChildFrames.RpcStreamItem(InvocationId(random, view), Payload(random)),
            FrameKind.RpcStreamCredit => ChildFrames.RpcStreamCredit(CallId(random, view), random.Chance(0.1) ? random.Pick<uint>([int.MaxValue, int.MaxValue - 10, 1u << 20, (1u << 20) + 1, 1u << 31]) : (uint)random.Next(1, 80)),
            _ => ChildFrames.Frame((FrameKind)random.Next(256), random.Bytes(random.Next(0, 24))),
        };
    }

    /// <summary>A MessagePack value: mostly small and valid, sometimes a bomb, random bytes or nothing.</summary>
    public static byte[] Payload(Random random) => random.Next(10) switch
    {
        < 6 => random.Pick(SmallValues),
        < 8 => random.Pick(Bombs.MessagePack.Where(b => b.Bytes.Length < 4096).Select(b => b.Bytes).ToArray()),
        < 9 => random.Bytes(random.Next(1, 64)),
        _ => [],
    };

    private static byte[] StoreRequest(Random random, uint id)
    {
        var operation = (StoreOperation)random.Next(1, 9);
        var key = Name(random, Keys);
        var typeName = operation == StoreOperation.Increment || random.Chance(0.2) ? "System.Int64" : Name(random, TypeNames);
        var payload = typeName == "System.Int64" && random.Chance(0.5) ? random.Pick(SmallValues[..5]) : Payload(random);
        return ChildFrames.StoreRequest(
            id,
            operation,
            key,
            typeName,
            timeToLiveMs: random.Chance(0.1) ? random.Next(1, 50) : 0,
            delta: random.Chance(0.1) ? long.MaxValue : random.Next(-5, 6),
            expected: operation == StoreOperation.CompareAndSet ? Payload(random) : [],
            payload: operation is StoreOperation.Set or StoreOperation.SetIfAbsent or StoreOperation.CompareAndSet ? payload : []);
    }

    private static byte[] RpcCall(Random random, SessionView view)
    {
        var method = Name(random, Methods);
        var stream = method is "main.stream" or "control.stream" ? !random.Chance(0.1) : random.Chance(0.1);
        var arguments = Enumerable.Range(0, random.Next(0, 3)).Select(_ => method == "main.stream" && random.Chance(0.7) ? [(byte)random.Next(0, 80)] : Payload(random)).ToArray();
        var callId = view.NextCallId(random);
        return ChildFrames.RpcCall(callId, method, ChildFrames.ArgumentBlock(arguments), stream ? (byte)1 : (byte)0, stream ? (uint)random.Next(0, 65) : 0);
    }

    private static byte[] RpcResult(Random random, SessionView view)
    {
        var invocation = InvocationId(random, view);
        return random.Next(4) switch
        {
            0 => ChildFrames.RpcResult(invocation, 0, Payload(random)),
            1 => ChildFrames.RpcResult(invocation, (byte)random.Next(1, 6), ChildFrames.RpcErrorOutcome(view.Name, "System.Exception", "failed", "at somewhere")),
            2 => ChildFrames.RpcResult(invocation, 0, []),
            _ => ChildFrames.RpcResult(invocation, (byte)random.Next(1, 6), random.Pick(Bombs.ErrorOutcomes).Outcome),
        };
    }

    private static string Name(Random random, IReadOnlyList<string> names) => random.Next(24) switch
    {
        0 => string.Empty,
        1 => new string('x', random.Next(250, 1100)),
        2 => "bad\0name\u0007",
        3 => "ünï🙂",
        4 => new string('T', random.Next(20_000, ushort.MaxValue + 1)),
        _ => random.Pick(names),
    };

    /// <summary>
    /// Rewrites the first protocol string that starts at <paramref name="offset"/> of the frame's body as bytes that are
    /// not UTF-8 (a run of 0xFF, sometimes long): strings that a writer never produces, but a child can send.
    /// </summary>
    public static byte[] WithInvalidUtf8(Random random, byte[] frame, int offset)
    {
        var at = FrameFormat.HeaderSize + offset;
        if (frame.Length < at + 2)
        {
            return frame;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(at));
        if (frame.Length < at + 2 + length)
        {
            return frame;
        }

        var invalid = Enumerable.Repeat((byte)0xFF, random.Chance(0.5) ? random.Next(1, 8) : random.Next(22_000, ushort.MaxValue + 1)).ToArray();
        var body = new BodyWriter().WriteBytes(frame.AsSpan(FrameFormat.HeaderSize, offset)).WriteUInt16((ushort)invalid.Length).WriteBytes(invalid).WriteBytes(frame.AsSpan(at + 2 + length)).Written;
        return ChildFrames.Frame((FrameKind)frame[4], body);
    }

    private static uint ChannelId(Random random, SessionView view) =>
        view.ChannelIds.Count > 0 && !random.Chance(0.1) ? random.Pick(view.ChannelIds) : (uint)random.Next(0, 12);

    private static uint InvocationId(Random random, SessionView view) =>
        view.InvocationIds.Count > 0 && !random.Chance(0.1) ? random.Pick(view.InvocationIds) : (uint)random.Next(0, 64);

    private static uint CallId(Random random, SessionView view) =>
        view.CallIds.Count > 0 && !random.Chance(0.1) ? random.Pick(view.CallIds) : (uint)random.Next(0, 64);
}

/// <summary>What a fuzzed session has learned from the main process: channel ids it was given, invocations it was sent, calls it made.</summary>
internal sealed class SessionView(string name)
{
    private readonly List<uint> _callIds = [];
    private uint _nextCallId;

    public string Name { get; } = name;

    public IReadOnlyList<uint> ChannelIds { get; private set; } = [];

    public IReadOnlyList<uint> InvocationIds { get; private set; } = [];

    public IReadOnlyList<uint> CallIds => _callIds;

    /// <summary>Reads channel ids and invocation ids from the frames the session received.</summary>
    public void Update(IReadOnlyList<ReceivedFrame> received)
    {
        ChannelIds = [.. received.Where(f => f.Kind == FrameKind.ChannelOpened && f.Body.Length >= 9 && f.Body[4] == 0).Select(f => BinaryPrimitives.ReadUInt32LittleEndian(f.Body.AsSpan(5))).Distinct()];
        InvocationIds = [.. received.Where(f => f.Kind == FrameKind.RpcInvoke).Select(f => f.Id)];
    }

    /// <summary>Mostly fresh call ids, sometimes one in use (which the main process must refuse).</summary>
    public uint NextCallId(Random random)
    {
        var id = _callIds.Count > 0 && random.Chance(0.1) ? random.Pick(_callIds) : ++_nextCallId;
        _callIds.Add(id);
        return id;
    }
}
