using Firn.Transport;

namespace Firn.Storage;

/// <summary>
/// Store requests and replies as frame bodies. Every request has the same layout (unused fields empty),
/// which keeps the decoder small and every field bounds-checked by <see cref="BodyReader"/>.
/// </summary>
internal static class StoreCodec
{
    /// <summary>Request: u32 id, u8 operation, string key, string type, i64 ttl ms, i64 delta, u32 expected length, expected, payload.</summary>
    public static byte[] EncodeRequest(uint requestId, StoreRequest request) =>
        new BodyWriter()
            .WriteUInt32(requestId)
            .WriteByte((byte)request.Operation)
            .WriteString(request.Key)
            .WriteString(request.TypeName)
            .WriteInt64(request.TimeToLiveMs)
            .WriteInt64(request.Delta)
            .WriteUInt32((uint)request.Expected.Length)
            .WriteBytes(request.Expected)
            .WriteBytes(request.Payload)
            .Written.ToArray();

    public static (uint RequestId, StoreRequest Request) DecodeRequest(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var operation = (StoreOperation)reader.ReadByte();
        if (!Enum.IsDefined(operation))
        {
            throw new ProtocolViolationException($"unknown store operation {(byte)operation}");
        }

        var key = reader.ReadString();
        var typeName = reader.ReadString();
        var ttl = reader.ReadInt64();
        var delta = reader.ReadInt64();
        var expected = reader.ReadBytes(checked((int)Math.Min(reader.ReadUInt32(), int.MaxValue))).ToArray();
        var payload = ByteArrays.Copy(reader.Remaining);
        if (key.Length is 0 or > StoreKeys.MaxLength || ttl < 0)
        {
            throw new ProtocolViolationException($"invalid store request (key of {key.Length} characters, ttl {ttl})");
        }

        return (requestId, new StoreRequest(operation, key) { TypeName = typeName, TimeToLiveMs = ttl, Delta = delta, Expected = expected, Payload = payload });
    }

    /// <summary>Reply: u32 id, u8 status, u8 flag, i64 number, string text, u32 item count, items (string key, string type, u32 length, bytes), payload.</summary>
    public static byte[] EncodeReply(uint requestId, StoreReply reply)
    {
        var writer = new BodyWriter()
            .WriteUInt32(requestId)
            .WriteByte((byte)reply.Status)
            .WriteByte(reply.Flag ? (byte)1 : (byte)0)
            .WriteInt64(reply.Number)
            .WriteText(reply.Text)
            .WriteUInt32((uint)reply.Items.Count);
        foreach (var item in reply.Items)
        {
            writer.WriteString(item.Key).WriteString(item.TypeName).WriteUInt32((uint)item.Payload.Length).WriteBytes(item.Payload);
        }

        return writer.WriteBytes(reply.Payload).Written.ToArray();
    }

    public static (uint RequestId, StoreReply Reply) DecodeReply(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        var requestId = reader.ReadUInt32();
        var status = (StoreStatus)reader.ReadByte();
        var flag = reader.ReadByte() != 0;
        var number = reader.ReadInt64();
        var text = reader.ReadString();
        var count = reader.ReadUInt32();
        var items = new List<StoreItem>((int)Math.Min(count, 1024));
        for (var i = 0u; i < count; i++)
        {
            var key = reader.ReadString();
            var typeName = reader.ReadString();
            var payload = reader.ReadBytes(checked((int)Math.Min(reader.ReadUInt32(), int.MaxValue))).ToArray();
            items.Add(new StoreItem(key, typeName, payload));
        }

        return (requestId, new StoreReply(status) { Flag = flag, Number = number, Text = text, Items = items, Payload = ByteArrays.Copy(reader.Remaining) });
    }
}
