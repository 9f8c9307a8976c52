using Firn.Rpc;
using Firn.Transport;

namespace Firn.Redis.Rpc;

/// <summary>
/// What crosses hosts in the RPC streams, one binary field <c>m</c> per entry. A request names its caller (host,
/// instance, process) and the caller host's invocation id, which the owner host uses as the call id; a reply carries
/// that id back to the caller host's reply stream.
/// </summary>
internal static class RedisRpcMessages
{
    public const string Field = "m";

    public enum Request : byte
    {
        Call = 1,
        Cancel = 2,
        Credit = 3,
    }

    public enum Reply : byte
    {
        Outcome = 1,
        Item = 2,
    }

    public static byte[] Call(CallerId caller, uint id, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args) =>
        Head(Request.Call, caller, id).WriteByte((byte)flags).WriteUInt32((uint)credit).WriteString(method).WriteBytes(args).Written.ToArray();

    public static byte[] Cancel(CallerId caller, uint id) => Head(Request.Cancel, caller, id).Written.ToArray();

    public static byte[] Credit(CallerId caller, uint id, int count) => Head(Request.Credit, caller, id).WriteUInt32((uint)count).Written.ToArray();

    public static byte[] Outcome(uint id, RpcStatus status, ReadOnlySpan<byte> body) =>
        new BodyWriter().WriteByte((byte)Reply.Outcome).WriteUInt32(id).WriteByte((byte)status).WriteBytes(body).Written.ToArray();

    public static byte[] Item(uint id, ReadOnlySpan<byte> payload) =>
        new BodyWriter().WriteByte((byte)Reply.Item).WriteUInt32(id).WriteBytes(payload).Written.ToArray();

    /// <summary>Reads a request's kind, caller and id; the reader is left at what follows (see <see cref="Call"/>, <see cref="Credit"/>).</summary>
    public static (Request Kind, CallerId Caller, uint Id) ReadRequest(ref BodyReader reader)
    {
        var kind = (Request)reader.ReadByte();
        var caller = new CallerId(reader.ReadString(), reader.ReadString(), reader.ReadString());
        return (kind, caller, reader.ReadUInt32());
    }

    private static BodyWriter Head(Request kind, CallerId caller, uint id) =>
        new BodyWriter().WriteByte((byte)kind).WriteString(caller.Host).WriteString(caller.Instance).WriteString(caller.Process).WriteUInt32(id);
}

/// <summary>A calling process of another host: the host's name and instance (its run), and the process's name there.</summary>
internal readonly record struct CallerId(string Host, string Instance, string Process);
