using System.Buffers.Binary;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// Every frame a child may send the main process, built byte for byte as docs/PROTOCOL.md describes them, so tests
/// and fuzzers can send well-formed frames and then break them on purpose.
/// </summary>
internal static class ChildFrames
{
    /// <summary>A whole frame: header (length, kind) and body.</summary>
    public static byte[] Frame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var frame = new byte[FrameFormat.HeaderSize + body.Length];
        FrameFormat.WriteHeader(frame, kind, body.Length);
        body.CopyTo(frame.AsSpan(FrameFormat.HeaderSize));
        return frame;
    }

    /// <summary>A header alone, announcing any length (also lengths no real writer would produce).</summary>
    public static byte[] Header(FrameKind kind, uint bodyLength)
    {
        var header = new byte[FrameFormat.HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, bodyLength);
        header[4] = (byte)kind;
        return header;
    }

    public static byte[] Hello(string processName, string secret) => Frame(FrameKind.Hello, Handshake.EncodeHello(processName, secret));

    public static byte[] OpenChannel(uint requestId, string name, string typeName, byte flags = 0) =>
        Frame(FrameKind.OpenChannel, new BodyWriter().WriteUInt32(requestId).WriteString(name).WriteString(typeName).WriteByte(flags).Written);

    public static byte[] Send(uint channelId, ReadOnlySpan<byte> payload) =>
        Frame(FrameKind.Send, new BodyWriter().WriteUInt32(channelId).WriteBytes(payload).Written);

    public static byte[] Attach(uint channelId, uint window, byte mode) =>
        Frame(FrameKind.Attach, new BodyWriter().WriteUInt32(channelId).WriteUInt32(window).WriteByte(mode).Written);

    public static byte[] Ack(uint channelId, uint count) => Frame(FrameKind.Ack, new BodyWriter().WriteUInt32(channelId).WriteUInt32(count).Written);

    public static byte[] CloseChannel(uint channelId) => Frame(FrameKind.CloseChannel, new BodyWriter().WriteUInt32(channelId).Written);

    public static byte[] ListChannels(uint requestId) => Frame(FrameKind.ListChannels, new BodyWriter().WriteUInt32(requestId).Written);

    public static byte[] Ready() => Frame(FrameKind.Ready, default);

    public static byte[] Control(byte request) => Frame(FrameKind.Control, [request]);

    /// <summary>A store request; <paramref name="expectedLength"/> overrides the announced length of <paramref name="expected"/>.</summary>
    public static byte[] StoreRequest(
        uint requestId,
        StoreOperation operation,
        string key,
        string typeName = "",
        long timeToLiveMs = 0,
        long delta = 0,
        ReadOnlySpan<byte> expected = default,
        ReadOnlySpan<byte> payload = default,
        uint? expectedLength = null) =>
        Frame(FrameKind.StoreRequest, new BodyWriter()
            .WriteUInt32(requestId)
            .WriteByte((byte)operation)
            .WriteString(key)
            .WriteString(typeName)
            .WriteInt64(timeToLiveMs)
            .WriteInt64(delta)
            .WriteUInt32(expectedLength ?? (uint)expected.Length)
            .WriteBytes(expected)
            .WriteBytes(payload)
            .Written);

    public static byte[] Subscribe(uint requestId, string topic) => Frame(FrameKind.Subscribe, new BodyWriter().WriteUInt32(requestId).WriteString(topic).Written);

    public static byte[] Unsubscribe(string topic) => Frame(FrameKind.Unsubscribe, new BodyWriter().WriteString(topic).Written);

    public static byte[] Publish(string topic, string typeName, ReadOnlySpan<byte> payload) =>
        Frame(FrameKind.Publish, new BodyWriter().WriteString(topic).WriteString(typeName).WriteBytes(payload).Written);

    public static byte[] RpcRegister(uint requestId, string method) => Frame(FrameKind.RpcRegister, new BodyWriter().WriteUInt32(requestId).WriteString(method).Written);

    public static byte[] RpcUnregister(string method) => Frame(FrameKind.RpcUnregister, new BodyWriter().WriteString(method).Written);

    /// <summary>A call; <paramref name="arguments"/> is the whole argument block (see <see cref="ArgumentBlock"/>).</summary>
    public static byte[] RpcCall(uint callId, string method, ReadOnlySpan<byte> arguments, byte flags = 0, uint credit = 0) =>
        Frame(FrameKind.RpcCall, new BodyWriter().WriteUInt32(callId).WriteByte(flags).WriteUInt32(credit).WriteString(method).WriteBytes(arguments).Written);

    public static byte[] RpcCancel(uint callId) => Frame(FrameKind.RpcCancel, new BodyWriter().WriteUInt32(callId).Written);

    /// <summary>An outcome: for status 0 the result bytes, otherwise an error (see <see cref="RpcErrorOutcome"/>).</summary>
    public static byte[] RpcResult(uint invocationId, byte status, ReadOnlySpan<byte> outcome) =>
        Frame(FrameKind.RpcResult, new BodyWriter().WriteUInt32(invocationId).WriteByte(status).WriteBytes(outcome).Written);

    public static byte[] RpcStreamItem(uint invocationId, ReadOnlySpan<byte> payload) =>
        Frame(FrameKind.RpcStreamItem, new BodyWriter().WriteUInt32(invocationId).WriteBytes(payload).Written);

    public static byte[] RpcStreamCredit(uint callId, uint count) => Frame(FrameKind.RpcStreamCredit, new BodyWriter().WriteUInt32(callId).WriteUInt32(count).Written);

    /// <summary>An argument block: a u16 count, then each argument as a u32 length and its bytes.</summary>
    public static byte[] ArgumentBlock(params byte[][] arguments)
    {
        var writer = new BodyWriter().WriteUInt16((ushort)arguments.Length);
        foreach (var argument in arguments)
        {
            writer.WriteUInt32((uint)argument.Length).WriteBytes(argument);
        }

        return writer.Written.ToArray();
    }

    /// <summary>A well-formed error outcome: reporting process, exception type name, message, stack.</summary>
    public static byte[] RpcErrorOutcome(string process, string typeName, string message, string stack) =>
        new BodyWriter().WriteString(process).WriteString(typeName).WriteString(message).WriteString(stack).Written.ToArray();

    /// <summary>The kinds a child may send after its handshake.</summary>
    public static IReadOnlyList<FrameKind> ChildKinds { get; } =
    [
        FrameKind.OpenChannel, FrameKind.Send, FrameKind.Attach, FrameKind.Ack, FrameKind.CloseChannel, FrameKind.ListChannels,
        FrameKind.Control, FrameKind.Ready, FrameKind.StoreRequest, FrameKind.Subscribe, FrameKind.Unsubscribe, FrameKind.Publish,
        FrameKind.RpcRegister, FrameKind.RpcUnregister, FrameKind.RpcCall, FrameKind.RpcCancel, FrameKind.RpcResult,
        FrameKind.RpcStreamItem, FrameKind.RpcStreamCredit,
    ];
}
