using Firn.Rpc;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Firn.Redis.Rpc;

/// <summary>
/// A calling process of another host, as this host's <see cref="RpcTable"/> sees it: its calls came from this host's
/// request stream; their outcomes and stream items go to its host's reply stream, appended in the order the table hands
/// them over (so a stream's items precede its end).
/// </summary>
internal sealed partial class RedisRpcCallerPeer(CallerId caller, RedisKey replies, IDatabase database, ILogger logger) : RpcPeer(caller.Process)
{
    public CallerId Caller => caller;

    public override bool IsOtherHost => true;

    // It owns no methods of this host: the table never invokes it.
    public override bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args) =>
        throw new InvalidOperationException("A caller of another host owns no method here.");

    public override void CancelInvocation(uint invocationId) => throw new InvalidOperationException("A caller of another host owns no method here.");

    public override void GrantInvocationCredit(uint invocationId, int count) => throw new InvalidOperationException("A caller of another host owns no method here.");

    public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body) => _ = SendAsync(RedisRpcMessages.Outcome(callId, status, body));

    public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload) => _ = SendAsync(RedisRpcMessages.Item(callId, payload));

    // The main process's own handlers wait for Redis to take the outcome: their pace is Redis's.
    public override Task ReplyWhenRoomAsync(uint callId, RpcStatus status, ReadOnlySpan<byte> body) => SendAsync(RedisRpcMessages.Outcome(callId, status, body));

    public override Task ReplyItemWhenRoomAsync(uint callId, ReadOnlySpan<byte> payload) => SendAsync(RedisRpcMessages.Item(callId, payload));

    public override void Violate(string reason) => LogViolation(logger, caller.Process, caller.Host, reason);

    private async Task SendAsync(byte[] message)
    {
        try
        {
            // Issued before the first await: the order of the calls to this method is the order on the stream.
            await database.StreamAddAsync(replies, RedisRpcMessages.Field, message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The caller's call times out (or fails when this host is found dead): nothing else can tell it.
            LogReplyFailed(logger, ex, caller.Process, caller.Host);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: process '{Process}' of host '{Host}' broke the protocol: {Reason}")]
    private static partial void LogViolation(ILogger logger, string process, string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC on Redis: an answer to process '{Process}' of host '{Host}' could not be sent")]
    private static partial void LogReplyFailed(ILogger logger, Exception exception, string process, string host);
}
