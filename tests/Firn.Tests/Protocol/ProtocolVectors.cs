using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Firn.Channels;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Protocol;

/// <summary>A record as a C# app would send it; the default serializer writes it as a map keyed by property names.</summary>
/// <param name="Name">A string property.</param>
/// <param name="Count">A long property.</param>
/// <param name="Tags">A list property.</param>
public sealed record VectorOrder(string Name, long Count, List<string> Tags);

/// <summary>
/// The golden vectors of docs/protocol-vectors: for every frame kind, frames written by the C# codec (the encoders the
/// processes use, or the same field sequence where a body is written inline) with their decoded fields, and the
/// default serializer's bytes for the common message types. Field names are the Python client's (firn.wire).
/// </summary>
internal static class ProtocolVectors
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every vector file: its name and its text.</summary>
    public static SortedDictionary<string, string> Files()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, cases) in Frames())
        {
            var document = new JsonObject { ["kind"] = (int)kind, ["name"] = kind.ToString(), ["cases"] = new JsonArray([.. cases]) };
            files[$"{(int)kind:D2}-{kind}.json"] = document.ToJsonString(Indented) + "\n";
        }

        files["payloads.json"] = new JsonObject { ["serializer"] = "MessagePackFirnSerializer (the default)", ["cases"] = new JsonArray([.. Payloads()]) }.ToJsonString(Indented) + "\n";
        return files;
    }

    private static byte[] Pack<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessagePackFirnSerializer.Instance.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static JsonObject Case(string description, FrameKind kind, ReadOnlySpan<byte> body, JsonObject fields)
    {
        var frame = new byte[FrameFormat.HeaderSize + body.Length];
        FrameFormat.WriteHeader(frame, kind, body.Length);
        body.CopyTo(frame.AsSpan(FrameFormat.HeaderSize));
        return new JsonObject { ["description"] = description, ["hex"] = Hex(frame), ["fields"] = fields };
    }

    private static JsonArray Hexes(IEnumerable<byte[]> values) => new([.. values.Select(v => (JsonNode)Hex(v))]);

    private static IEnumerable<(FrameKind Kind, List<JsonObject> Cases)> Frames()
    {
        var hello = Handshake.EncodeHello("nonebot", "0123456789abcdef", Capabilities.None);
        Check(Handshake.DecodeHello(hello) == (1, "nonebot", "0123456789abcdef", Capabilities.None), "Hello");
        var helloOffering = Handshake.EncodeHello("nonebot", "0123456789abcdef", Capabilities.TraceContext);
        Check(Handshake.DecodeHello(helloOffering) == (1, "nonebot", "0123456789abcdef", Capabilities.TraceContext), "Hello");
        yield return (FrameKind.Hello,
        [
            Case("a child named nonebot that offers no capabilities", FrameKind.Hello, hello, new() { ["version"] = 1, ["process_name"] = "nonebot", ["secret"] = "0123456789abcdef", ["capabilities"] = new JsonArray() }),
            Case("a child that offers trace-context", FrameKind.Hello, helloOffering, new() { ["version"] = 1, ["process_name"] = "nonebot", ["secret"] = "0123456789abcdef", ["capabilities"] = new JsonArray("trace-context") }),
        ]);

        JsonObject Welcome(JsonNode? channels, params string[] capabilities) => new()
        {
            ["version"] = 1,
            ["max_message_size"] = 16_777_216,
            ["send_window"] = 4096,
            ["pending_bytes_limit"] = 8_388_608,
            ["channels"] = channels,
            ["capabilities"] = new JsonArray([.. capabilities.Select(c => (JsonNode)c)]),
        };
        JsonObject BuiltIn() => new() { ["active_id"] = 1, ["active_closed"] = false, ["passive_id"] = 2, ["passive_closed"] = true };
        var withChannels = Handshake.EncodeWelcome(16 * 1024 * 1024, 4096, 8 * 1024 * 1024, new ChannelBinding(1, 4096, false), new ChannelBinding(2, 4096, true));
        Check(Handshake.DecodeWelcomeChannels(withChannels) == ((1u, false), (2u, true)), "Welcome");
        Check(Handshake.DecodeWelcomeCapabilities(withChannels, CapabilityList.Supported) == Capabilities.None, "Welcome");
        var withCapabilities = Handshake.EncodeWelcome(16 * 1024 * 1024, 4096, 8 * 1024 * 1024, new ChannelBinding(1, 4096, false), new ChannelBinding(2, 4096, true), Capabilities.TraceContext);
        Check(Handshake.DecodeWelcomeChannels(withCapabilities) == ((1u, false), (2u, true)), "Welcome");
        Check(Handshake.DecodeWelcomeCapabilities(withCapabilities, CapabilityList.Supported) == Capabilities.TraceContext, "Welcome");
        yield return (FrameKind.Welcome,
        [
            Case("the limits only", FrameKind.Welcome, Handshake.EncodeWelcome(16 * 1024 * 1024, 4096, 8 * 1024 * 1024), Welcome(null)),
            Case("the limits and the built-in channels (the passive one closed)", FrameKind.Welcome, withChannels, Welcome(BuiltIn())),
            Case("the limits, the built-in channels and trace-context in force", FrameKind.Welcome, withCapabilities, Welcome(BuiltIn(), "trace-context")),
        ]);
        yield return (FrameKind.Reject, [Case("a refused child", FrameKind.Reject, Handshake.EncodeReject("wrong secret for process 'nonebot'"), new() { ["reason"] = "wrong secret for process 'nonebot'" })]);

        yield return (FrameKind.OpenChannel,
        [
            Case("open or create", FrameKind.OpenChannel, new BodyWriter().WriteUInt32(7).WriteString("orders").WriteString("System.String").WriteByte(0).Written, new() { ["request_id"] = 7, ["name"] = "orders", ["type_name"] = "System.String", ["flags"] = 0 }),
            Case("only if it exists", FrameKind.OpenChannel, new BodyWriter().WriteUInt32(8).WriteString("orders").WriteString("System.Collections.Generic.List<System.Int64>").WriteByte(OpenFlags.OnlyIfExists).Written, new() { ["request_id"] = 8, ["name"] = "orders", ["type_name"] = "System.Collections.Generic.List<System.Int64>", ["flags"] = 1 }),
        ]);
        const string Mismatch = "Channel 'orders' carries System.String; it cannot be used for System.Int64.";
        yield return (FrameKind.ChannelOpened,
        [
            Case("opened", FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(7).WriteByte(OpenStatus.Opened).WriteUInt32(3).WriteByte(0).Written, new() { ["request_id"] = 7, ["status"] = 0, ["channel_id"] = 3, ["closed"] = false }),
            Case("type mismatch", FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(8).WriteByte(OpenStatus.TypeMismatch).WriteText(Mismatch).Written, new() { ["request_id"] = 8, ["status"] = 1, ["message"] = Mismatch }),
            Case("bad name", FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(9).WriteByte(OpenStatus.BadName).WriteText("bad name").Written, new() { ["request_id"] = 9, ["status"] = 2, ["message"] = "bad name" }),
            Case("not found (flag 1)", FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(10).WriteByte(OpenStatus.NotFound).Written, new() { ["request_id"] = 10, ["status"] = 3 }),
            Case("limit reached", FrameKind.ChannelOpened, new BodyWriter().WriteUInt32(11).WriteByte(OpenStatus.LimitReached).WriteText("too many channels").Written, new() { ["request_id"] = 11, ["status"] = 4, ["message"] = "too many channels" }),
        ]);

        var hello42 = Pack("hello");
        yield return (FrameKind.Send, [Case("the string \"hello\" on channel 3", FrameKind.Send, new BodyWriter().WriteUInt32(3).WriteBytes(hello42).Written, new() { ["channel_id"] = 3, ["payload"] = Hex(hello42) })]);
        var order = Pack(new VectorOrder("tea", 2, ["hot"]));
        yield return (FrameKind.Deliver, [Case("a record on channel 3", FrameKind.Deliver, new BodyWriter().WriteUInt32(3).WriteBytes(order).Written, new() { ["channel_id"] = 3, ["payload"] = Hex(order) })]);
        yield return (FrameKind.SendCredit, [Counter(FrameKind.SendCredit, "channel_id", 3, 256)]);
        yield return (FrameKind.Attach,
        [
            Case("passive, window 4096", FrameKind.Attach, new BodyWriter().WriteUInt32(3).WriteUInt32(4096).WriteByte((byte)ReceiveMode.Passive).Written, new() { ["channel_id"] = 3, ["window"] = 4096, ["mode"] = 1 }),
            Case("active, window 16", FrameKind.Attach, new BodyWriter().WriteUInt32(4).WriteUInt32(16).WriteByte((byte)ReceiveMode.Active).Written, new() { ["channel_id"] = 4, ["window"] = 16, ["mode"] = 2 }),
        ]);
        yield return (FrameKind.Ack, [Counter(FrameKind.Ack, "channel_id", 3, 1024)]);
        yield return (FrameKind.CloseChannel, [Case("channel 3", FrameKind.CloseChannel, new BodyWriter().WriteUInt32(3).Written, new() { ["channel_id"] = 3 })]);
        yield return (FrameKind.ChannelClosed, [Case("channel 3", FrameKind.ChannelClosed, new BodyWriter().WriteUInt32(3).Written, new() { ["channel_id"] = 3 })]);
        yield return (FrameKind.ListChannels, [Case("request 5", FrameKind.ListChannels, new BodyWriter().WriteUInt32(5).Written, new() { ["request_id"] = 5 })]);

        ChannelInfo[] channels =
        [
            new("nonebot-active", "System.Object", [new ChannelMemberInfo("main", ReceiveMode.None), new ChannelMemberInfo("nonebot", ReceiveMode.Active)], 2, 1, false),
            new("orders", "System.String", [], 0, 0, true),
        ];
        var list = ChannelListCodec.EncodeReply(5, channels);
        Check(ChannelListCodec.DecodeReply(list).Channels!.Count == 2, "ChannelList");
        yield return (FrameKind.ChannelList,
        [
            Case("two channels", FrameKind.ChannelList, list, new()
            {
                ["request_id"] = 5, ["status"] = 0,
                ["channels"] = new JsonArray(
                    new JsonObject
                    {
                        ["name"] = "nonebot-active", ["type_name"] = "System.Object", ["queued"] = 2, ["unconsumed"] = 1, ["closed"] = false,
                        ["members"] = new JsonArray(new JsonObject { ["process_name"] = "main", ["mode"] = 0 }, new JsonObject { ["process_name"] = "nonebot", ["mode"] = 2 }),
                    },
                    new JsonObject { ["name"] = "orders", ["type_name"] = "System.String", ["queued"] = 0, ["unconsumed"] = 0, ["closed"] = true, ["members"] = new JsonArray() }),
            }),
            Case("an error", FrameKind.ChannelList, ChannelListCodec.EncodeError(6, "the list is too large"), new() { ["request_id"] = 6, ["status"] = 1, ["error"] = "the list is too large" }),
        ]);
        yield return (FrameKind.SendBytes, [Case("1234 bytes left the router", FrameKind.SendBytes, new BodyWriter().WriteUInt32(0).WriteUInt32(1234).Written, new() { ["reserved"] = 0, ["bytes"] = 1234 })]);

        yield return (FrameKind.Stop, [Case("empty", FrameKind.Stop, [], new())]);
        yield return (FrameKind.Control,
        [
            .. Enum.GetValues<ControlRequest>().Select(request => Case(request.ToString(), FrameKind.Control, [(byte)request], new() { ["request"] = (int)request })),
        ]);
        yield return (FrameKind.Ready, [Case("empty", FrameKind.Ready, [], new())]);
        yield return (FrameKind.Ping, [Case("empty", FrameKind.Ping, [], new())]);
        yield return (FrameKind.Pong, [Case("empty", FrameKind.Pong, [], new())]);

        yield return (FrameKind.StoreRequest, [.. StoreRequests()]);
        yield return (FrameKind.StoreReply, [.. StoreReplies()]);

        yield return (FrameKind.Subscribe, [Case("a pattern", FrameKind.Subscribe, new BodyWriter().WriteUInt32(12).WriteString("news.*").Written, new() { ["request_id"] = 12, ["topic"] = "news.*" })]);
        yield return (FrameKind.SubscribeReply,
        [
            Case("ok", FrameKind.SubscribeReply, new BodyWriter().WriteUInt32(12).WriteByte(0).WriteString(string.Empty).Written, new() { ["request_id"] = 12, ["status"] = 0, ["error"] = string.Empty }),
            Case("refused", FrameKind.SubscribeReply, new BodyWriter().WriteUInt32(13).WriteByte(1).WriteString("too many").Written, new() { ["request_id"] = 13, ["status"] = 1, ["error"] = "too many" }),
        ]);
        yield return (FrameKind.Unsubscribe, [Case("a pattern", FrameKind.Unsubscribe, new BodyWriter().WriteString("news.*").Written, new() { ["topic"] = "news.*" })]);
        var three = Pack(3L);
        var publication = TopicHub.EncodePublication(new Publication("news.today", "System.Int64", three));
        Check(TopicHub.DecodePublication(publication) is { Topic: "news.today", TypeName: "System.Int64" }, "Publication");
        yield return (FrameKind.Publish, [Case("a long", FrameKind.Publish, publication, new() { ["topic"] = "news.today", ["type_name"] = "System.Int64", ["payload"] = Hex(three) })]);
        var eventData = Pack<object?>(new Dictionary<string, object?> { ["user"] = "ann" });
        var eventBody = TopicHub.EncodePublication(new Publication("event:user.joined", EventBus.EventTypeName, eventData));
        yield return (FrameKind.Publication,
        [
            Case("a long", FrameKind.Publication, publication, new() { ["topic"] = "news.today", ["type_name"] = "System.Int64", ["payload"] = Hex(three) }),
            Case("an event", FrameKind.Publication, eventBody, new() { ["topic"] = "event:user.joined", ["type_name"] = "Firn.Event", ["payload"] = Hex(eventData) }),
        ]);

        foreach (var rpc in RpcFramesVectors())
        {
            yield return rpc;
        }
    }

    private static JsonObject Counter(FrameKind kind, string idName, uint id, uint count) =>
        Case($"{count} for {idName.Replace('_', ' ')} {id}", kind, new BodyWriter().WriteUInt32(id).WriteUInt32(count).Written, new() { [idName] = id, ["count"] = count });

    private static IEnumerable<JsonObject> StoreRequests()
    {
        JsonObject Fields(uint id, StoreRequest request) => new()
        {
            ["request_id"] = id,
            ["operation"] = (int)request.Operation,
            ["key"] = request.Key,
            ["type_name"] = request.TypeName,
            ["ttl_ms"] = request.TimeToLiveMs,
            ["delta"] = request.Delta,
            ["expected"] = Hex(request.Expected),
            ["payload"] = Hex(request.Payload),
        };

        (string, StoreRequest)[] requests =
        [
            ("Get", new StoreRequest(StoreOperation.Get, "counter")),
            ("Set with a time to live", new StoreRequest(StoreOperation.Set, "name") { TypeName = "System.String", Payload = Pack("ann"), TimeToLiveMs = 60_000 }),
            ("Delete", new StoreRequest(StoreOperation.Delete, "name")),
            ("SetIfAbsent", new StoreRequest(StoreOperation.SetIfAbsent, "lock") { TypeName = "System.Boolean", Payload = Pack(true) }),
            ("CompareAndSet", new StoreRequest(StoreOperation.CompareAndSet, "name") { TypeName = "System.String", Expected = Pack("ann"), Payload = Pack("bob") }),
            ("Increment by -3", new StoreRequest(StoreOperation.Increment, "counter") { Delta = -3 }),
            ("GetAll (key \"*\")", new StoreRequest(StoreOperation.GetAll, "*")),
            ("Keys (key \"*\")", new StoreRequest(StoreOperation.Keys, "*")),
        ];
        var id = 20u;
        foreach (var (description, request) in requests)
        {
            var body = StoreCodec.EncodeRequest(id, request);
            var decoded = StoreCodec.DecodeRequest(body).Request;
            Check(decoded.Key == request.Key && decoded.Payload.AsSpan().SequenceEqual(request.Payload), "StoreRequest");
            yield return Case(description, FrameKind.StoreRequest, body, Fields(id++, request));
        }
    }

    private static IEnumerable<JsonObject> StoreReplies()
    {
        JsonObject Fields(uint id, StoreReply reply) => new()
        {
            ["request_id"] = id,
            ["status"] = (int)reply.Status,
            ["flag"] = reply.Flag,
            ["number"] = reply.Number,
            ["text"] = reply.Text,
            ["items"] = new JsonArray([.. reply.Items.Select(i => (JsonNode)new JsonObject { ["key"] = i.Key, ["type_name"] = i.TypeName, ["payload"] = Hex(i.Payload) })]),
            ["payload"] = Hex(reply.Payload),
        };

        (string, StoreReply)[] replies =
        [
            ("Get: found", new StoreReply(StoreStatus.Ok) { Text = "System.String", Payload = Pack("ann") }),
            ("Get: not found", StoreReply.NotFound),
            ("Delete, SetIfAbsent, CompareAndSet: true", StoreReply.True),
            ("Increment: the new value", new StoreReply(StoreStatus.Ok) { Number = 41 }),
            ("Increment on a string: type mismatch", new StoreReply(StoreStatus.TypeMismatch) { Text = "Key 'name' holds System.String; Increment works on System.Int64 values." }),
            ("an error", StoreReply.Error("the store is full")),
            ("GetAll", new StoreReply(StoreStatus.Ok) { Items = [new StoreItem("counter", "System.Int64", Pack(41L)), new StoreItem("name", "System.String", Pack("ann"))] }),
            ("Keys (values empty)", new StoreReply(StoreStatus.Ok) { Items = [new StoreItem("counter", string.Empty, []), new StoreItem("name", string.Empty, [])] }),
        ];
        var id = 20u;
        foreach (var (description, reply) in replies)
        {
            var body = StoreCodec.EncodeReply(id, reply);
            Check(StoreCodec.DecodeReply(body).Reply.Items.Count == reply.Items.Count, "StoreReply");
            yield return Case(description, FrameKind.StoreReply, body, Fields(id++, reply));
        }
    }

    private static IEnumerable<(FrameKind Kind, List<JsonObject> Cases)> RpcFramesVectors()
    {
        yield return (FrameKind.RpcRegister, [Case("a method", FrameKind.RpcRegister, new BodyWriter().WriteUInt32(30).WriteString("bot.reply").Written, new() { ["request_id"] = 30, ["method"] = "bot.reply" })]);
        yield return (FrameKind.RpcRegistered,
        [
            Case("ok", FrameKind.RpcRegistered, new BodyWriter().WriteUInt32(30).WriteByte(0).WriteText(string.Empty).Written, new() { ["request_id"] = 30, ["status"] = 0, ["error"] = string.Empty }),
            Case("refused", FrameKind.RpcRegistered, new BodyWriter().WriteUInt32(31).WriteByte(1).WriteText("'bot.reply' is registered by process 'other'").Written, new() { ["request_id"] = 31, ["status"] = 1, ["error"] = "'bot.reply' is registered by process 'other'" }),
        ]);
        yield return (FrameKind.RpcUnregister, [Case("a method", FrameKind.RpcUnregister, new BodyWriter().WriteString("bot.reply").Written, new() { ["method"] = "bot.reply" })]);

        var buffer = SerializationBuffer.Rent();
        RpcArguments.Write(buffer, MessagePackFirnSerializer.Instance, [2L, "x"]);
        var arguments = buffer.WrittenSpan.ToArray();
        var argumentHexes = Hexes([Pack(2L), Pack("x")]);
        var call = Concat(RpcFrames.CallHeader(40, RpcFlags.None, 0, "math.add"), arguments);
        var reader = new BodyReader(call);
        Check(RpcFrames.ReadCall(ref reader) == (40u, RpcFlags.None, 0, "math.add") && RpcArguments.Validate(reader.Remaining) == 2, "RpcCall");
        RpcArguments.Write(buffer = SerializationBuffer.Rent(), MessagePackFirnSerializer.Instance, []);
        var noArguments = buffer.WrittenSpan.ToArray();
        yield return (FrameKind.RpcCall,
        [
            Case("two arguments", FrameKind.RpcCall, call, new() { ["call_id"] = 40, ["flags"] = 0, ["credit"] = 0, ["method"] = "math.add", ["arguments"] = argumentHexes }),
            Case("a stream call with credit 64 and no arguments", FrameKind.RpcCall, Concat(RpcFrames.CallHeader(41, RpcFlags.Stream, 64, "feed"), noArguments), new() { ["call_id"] = 41, ["flags"] = 1, ["credit"] = 64, ["method"] = "feed", ["arguments"] = new JsonArray() }),
        ]);
        yield return (FrameKind.RpcInvoke, [Case("two arguments", FrameKind.RpcInvoke, Concat(RpcFrames.InvokeHeader(50, RpcFlags.None, 0, "math.add", "nonebot"), arguments), new() { ["invocation_id"] = 50, ["flags"] = 0, ["credit"] = 0, ["method"] = "math.add", ["caller"] = "nonebot", ["arguments"] = argumentHexes.DeepClone() })]);
        yield return (FrameKind.RpcCancel, [Case("call 40", FrameKind.RpcCancel, new BodyWriter().WriteUInt32(40).Written, new() { ["call_id"] = 40 })]);
        yield return (FrameKind.RpcCancelInvocation, [Case("invocation 50", FrameKind.RpcCancelInvocation, new BodyWriter().WriteUInt32(50).Written, new() { ["invocation_id"] = 50 })]);

        var five = Pack(5L);
        var error = new RpcError("nonebot", "ValueError", "bad value", "Traceback (most recent call last): ...");
        var encodedError = error.Encode().ToArray();
        Check(RpcError.Decode(encodedError) == error, "RpcError");
        var errorFields = new JsonObject { ["process"] = "nonebot", ["type_name"] = "ValueError", ["message"] = "bad value", ["stack"] = "Traceback (most recent call last): ..." };
        var notFound = RpcError.Plain("main", "No process has registered the method 'math.mul'.");
        foreach (var (kind, id) in new[] { (FrameKind.RpcResult, 50u), (FrameKind.RpcReply, 40u) })
        {
            yield return (kind,
            [
                Case("a result", kind, Concat(RpcFrames.OutcomeHeader(id, RpcStatus.Ok), five), new() { ["id"] = id, ["status"] = 0, ["result"] = Hex(five) }),
                Case("no result (a void handler, or the end of a stream)", kind, RpcFrames.OutcomeHeader(id, RpcStatus.Ok), new() { ["id"] = id, ["status"] = 0, ["result"] = string.Empty }),
                Case("the handler threw", kind, Concat(RpcFrames.OutcomeHeader(id, RpcStatus.RemoteError), encodedError), new() { ["id"] = id, ["status"] = 1, ["error"] = errorFields.DeepClone() }),
                Case("no such method", kind, Concat(RpcFrames.OutcomeHeader(id, RpcStatus.MethodNotFound), notFound.Encode()), new()
                {
                    ["id"] = id, ["status"] = 2, ["error"] = new JsonObject { ["process"] = "main", ["type_name"] = string.Empty, ["message"] = notFound.Message, ["stack"] = string.Empty },
                }),
            ]);
        }

        yield return (FrameKind.RpcStreamItem, [Case("an item", FrameKind.RpcStreamItem, new BodyWriter().WriteUInt32(50).WriteBytes(five).Written, new() { ["invocation_id"] = 50, ["payload"] = Hex(five) })]);
        yield return (FrameKind.RpcCallItem, [Case("an item", FrameKind.RpcCallItem, new BodyWriter().WriteUInt32(41).WriteBytes(five).Written, new() { ["call_id"] = 41, ["payload"] = Hex(five) })]);
        yield return (FrameKind.RpcStreamCredit, [Counter(FrameKind.RpcStreamCredit, "call_id", 41, 32)]);
        yield return (FrameKind.RpcInvocationCredit, [Counter(FrameKind.RpcInvocationCredit, "invocation_id", 50, 32)]);
    }

    private static IEnumerable<JsonObject> Payloads()
    {
        JsonObject Payload<T>(T value, JsonNode? json) => new() { ["type_name"] = TypeNames.Of(typeof(T)), ["hex"] = Hex(Pack(value)), ["value"] = json };

        yield return Payload("hello", "hello");
        yield return Payload(string.Empty, string.Empty);
        yield return Payload<string?>(null, null);
        yield return Payload(42L, 42);
        yield return Payload(-200L, -200);
        yield return Payload(long.MaxValue, long.MaxValue);
        yield return Payload(300, 300);
        yield return Payload(1.5, 1.5);
        yield return Payload(true, true);
        yield return Payload(new List<string> { "a", "b" }, new JsonArray("a", "b"));
        yield return Payload(new long[] { 1, 2, 3 }, new JsonArray(1, 2, 3));
        yield return Payload(new Dictionary<string, long> { ["apples"] = 3, ["pears"] = 0 }, new JsonObject { ["apples"] = 3, ["pears"] = 0 });
        yield return Payload(new VectorOrder("tea", 2, ["hot", "green"]), new JsonObject { ["Name"] = "tea", ["Count"] = 2, ["Tags"] = new JsonArray("hot", "green") });
        yield return new JsonObject { ["type_name"] = TypeNames.Of(typeof(byte[])), ["hex"] = Hex(Pack(new byte[] { 1, 2, 255 })), ["bytes"] = Hex([1, 2, 255]) };
    }

    private static byte[] Concat(ReadOnlySpan<byte> header, ReadOnlySpan<byte> rest) => [.. header, .. rest];

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The C# codec does not read back its own {what} vector.");
        }
    }
}
