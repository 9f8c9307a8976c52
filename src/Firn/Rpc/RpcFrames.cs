using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// The bodies of the RPC frames (see docs/PROTOCOL.md). Call-like frames are written as a small header
/// followed by the argument block or result as it is, so the main process relays a call without copying it twice.
/// </summary>
internal static class RpcFrames
{
    [ThreadStatic]
    private static BodyWriter? s_header;

    /// <summary>The header of an RpcCall: call id, flags, stream credit, method. The argument block follows.</summary>
    public static ReadOnlySpan<byte> CallHeader(uint callId, RpcFlags flags, int credit, string method) =>
        Header().WriteUInt32(callId).WriteByte((byte)flags).WriteUInt32((uint)credit).WriteString(method).Written;

    /// <summary>The header of an RpcInvoke: invocation id, flags, stream credit, method, caller. The argument block follows.</summary>
    public static ReadOnlySpan<byte> InvokeHeader(uint invocationId, RpcFlags flags, int credit, string method, string caller) =>
        Header().WriteUInt32(invocationId).WriteByte((byte)flags).WriteUInt32((uint)credit).WriteString(method).WriteString(caller).Written;

    /// <summary>The header of an RpcResult or RpcReply: id, status. The result or encoded error follows.</summary>
    public static ReadOnlySpan<byte> OutcomeHeader(uint id, RpcStatus status) => Header().WriteUInt32(id).WriteByte((byte)status).Written;

    /// <summary>Reads an RpcCall header; the reader is left at the argument block.</summary>
    public static (uint CallId, RpcFlags Flags, int Credit, string Method) ReadCall(ref BodyReader reader) =>
        (reader.ReadUInt32(), ReadFlags(ref reader), ReadCredit(ref reader), reader.ReadString());

    /// <summary>Reads an RpcInvoke header; the reader is left at the argument block.</summary>
    public static (uint InvocationId, RpcFlags Flags, int Credit, string Method, string Caller) ReadInvoke(ref BodyReader reader) =>
        (reader.ReadUInt32(), ReadFlags(ref reader), ReadCredit(ref reader), reader.ReadString(), reader.ReadString());

    /// <summary>Reads an RpcResult or RpcReply header; the reader is left at the result or error.</summary>
    public static (uint Id, RpcStatus Status) ReadOutcome(ref BodyReader reader)
    {
        var id = reader.ReadUInt32();
        var status = (RpcStatus)reader.ReadByte();
        return Enum.IsDefined(status) ? (id, status) : throw new ProtocolViolationException($"unknown call status {(byte)status}");
    }

    private static RpcFlags ReadFlags(ref BodyReader reader)
    {
        var flags = (RpcFlags)reader.ReadByte();
        return (flags & ~(RpcFlags.Stream | RpcFlags.TraceContext)) == 0 ? flags : throw new ProtocolViolationException($"unknown call flags {(byte)flags}");
    }

    private static int ReadCredit(ref BodyReader reader)
    {
        var credit = reader.ReadUInt32();
        return credit <= RpcEndpoint.StreamWindow ? (int)credit : throw new ProtocolViolationException($"a call announced {credit} items of stream credit; at most {RpcEndpoint.StreamWindow} are allowed");
    }

    private static BodyWriter Header() => (s_header ??= new BodyWriter()).Clear();
}
