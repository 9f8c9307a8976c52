namespace Firn.Transport;

/// <summary>
/// The kind byte that follows every frame's length. See docs/PROTOCOL.md for each body.
/// Ranges: 1–9 handshake, 10–29 channels, 30–39 process control and supervision, 40–59 store and
/// pub/sub, 60–79 RPC.
/// </summary>
internal enum FrameKind : byte
{
    /// <summary>Child → main: protocol version, process name, instance id, per-child secret.</summary>
    Hello = 1,

    /// <summary>Main → child: the handshake succeeded; carries the limits the child must respect.</summary>
    Welcome = 2,

    /// <summary>Main → child: the handshake failed; carries the reason. The connection closes after it.</summary>
    Reject = 3,

    /// <summary>Child → main: open a channel by name and message type (request id, name, type, flags: 1 = only if it exists).</summary>
    OpenChannel = 10,

    /// <summary>Main → child: reply to <see cref="OpenChannel"/> (request id, status, channel id and closed flag, or an error).</summary>
    ChannelOpened = 11,

    /// <summary>Child → main: a message sent on a channel (channel id, payload).</summary>
    Send = 12,

    /// <summary>Main → child: a message delivered to this receiver (channel id, payload).</summary>
    Deliver = 13,

    /// <summary>Main → child: the child may send this many more messages on a channel.</summary>
    SendCredit = 14,

    /// <summary>Child → main: this process now receives on a channel, with this many buffer slots, in this receive mode.</summary>
    Attach = 15,

    /// <summary>Child → main: this many delivered messages were consumed; their slots are free again.</summary>
    Ack = 16,

    /// <summary>Child → main: close a channel for every process.</summary>
    CloseChannel = 17,

    /// <summary>Main → child: a channel was closed; nothing more will be delivered on it.</summary>
    ChannelClosed = 18,

    /// <summary>Child → main: list every channel (request id).</summary>
    ListChannels = 19,

    /// <summary>Main → child: reply to <see cref="ListChannels"/> (request id, status, the channels or an error).</summary>
    ChannelList = 20,

    /// <summary>Main → child: stop gracefully.</summary>
    Stop = 30,

    /// <summary>Child → main: a request about the child itself or the app (see <see cref="Hosting.ControlRequest"/>).</summary>
    Control = 31,

    /// <summary>Child → main: the child's entry has started.</summary>
    Ready = 32,

    /// <summary>Child → main: a store operation (see <c>StoreCodec</c>).</summary>
    StoreRequest = 40,

    /// <summary>Main → child: the result of a store operation.</summary>
    StoreReply = 41,

    /// <summary>Child → main: subscribe this process to a topic or pattern (request id, is-pattern, topic).</summary>
    Subscribe = 44,

    /// <summary>Main → child: the subscription is in place (request id, status, error).</summary>
    SubscribeReply = 45,

    /// <summary>Child → main: this process no longer subscribes to a topic or pattern (is-pattern, topic).</summary>
    Unsubscribe = 46,

    /// <summary>Child → main: publish (topic, type name, payload).</summary>
    Publish = 47,

    /// <summary>Main → child: a publication this process subscribed to (topic, type name, payload).</summary>
    Publication = 48,

    /// <summary>Child → main: claim a method name for this process (request id, name).</summary>
    RpcRegister = 60,

    /// <summary>Main → child: the answer to <see cref="RpcRegister"/> (request id, status, error).</summary>
    RpcRegistered = 61,

    /// <summary>Child → main: give up a method name.</summary>
    RpcUnregister = 62,

    /// <summary>Child → main: a call (call id, flags, stream credit, method, arguments).</summary>
    RpcCall = 63,

    /// <summary>Main → child: run a handler (invocation id, flags, stream credit, method, caller, arguments).</summary>
    RpcInvoke = 64,

    /// <summary>Child → main: the caller gave up on a call.</summary>
    RpcCancel = 65,

    /// <summary>Main → child: cancel an invocation.</summary>
    RpcCancelInvocation = 66,

    /// <summary>Child → main: the outcome of an invocation (invocation id, status, result or error).</summary>
    RpcResult = 67,

    /// <summary>Main → child: the outcome of a call (call id, status, result or error).</summary>
    RpcReply = 68,

    /// <summary>Child → main: one item of a stream invocation.</summary>
    RpcStreamItem = 69,

    /// <summary>Main → child: one item of a stream call.</summary>
    RpcCallItem = 70,

    /// <summary>Child → main: the caller of a stream call takes more items (call id, count).</summary>
    RpcStreamCredit = 71,

    /// <summary>Main → child: a stream invocation may send more items (invocation id, count).</summary>
    RpcInvocationCredit = 72,
}
