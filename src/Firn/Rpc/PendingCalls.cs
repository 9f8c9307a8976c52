using Firn.Failures;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>The calls this process has made and not yet seen answered, by call id (see <see cref="PendingRequests{TEntry}"/>).</summary>
internal static class PendingCalls
{
    /// <summary>An empty table; a call that times out fails with the call's own message.</summary>
    public static PendingRequests<PendingCall> Create() => new(static call => FirnErrors.CallTimedOut(call.Method, call.Timeout));

    /// <summary>The final outcome of call <paramref name="id"/> arrived: a result (status ok) or an encoded <see cref="RpcError"/>. A late one is ignored.</summary>
    public static void Complete(this PendingRequests<PendingCall> calls, uint id, RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (calls.TryTake(id, out var call))
        {
            call.Complete(status, body);
        }
    }

    /// <summary>A stream item of call <paramref name="id"/> arrived.</summary>
    public static void Item(this PendingRequests<PendingCall> calls, uint id, ReadOnlySpan<byte> payload)
    {
        if (calls.TryGet(id, out var call))
        {
            call.OnItem(payload);
        }
    }
}

/// <summary>A call waiting for its outcome.</summary>
internal abstract class PendingCall(string method) : IPendingRequest
{
    public string Method { get; } = method;

    public TimeSpan Timeout { get; set; }

    public long Deadline { get; set; }

    /// <summary>The final outcome: a result (status ok) or an encoded <see cref="RpcError"/>.</summary>
    public void Complete(RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (status == RpcStatus.Ok)
        {
            Succeed(body);
        }
        else
        {
            Fail(Failure(status, Method, RpcError.Decode(body)));
        }
    }

    /// <summary>The exception a caller sees for a call of <paramref name="method"/> that failed with <paramref name="status"/>.</summary>
    private static RpcException Failure(RpcStatus status, string method, RpcError error) => status switch
    {
        RpcStatus.RemoteError => FirnErrors.RemoteError(method, error.ProcessName, error.TypeName, error.Message, error.StackTrace),
        RpcStatus.MethodNotFound => FirnErrors.MethodNotFound(error.Message, method),
        RpcStatus.ProcessExited => FirnErrors.OwnerExited(error.Message, method, error.ProcessName),

        // InvalidArguments, LimitExceeded, ResultTooLarge: Firn refused something; the message says what and which limit.
        _ => FirnErrors.CallRefused(error.Message, method, error.ProcessName),
    };

    public abstract void Succeed(ReadOnlySpan<byte> result);

    public abstract void Fail(Exception exception);

    public virtual void OnItem(ReadOnlySpan<byte> payload)
    {
    }
}

/// <summary>A call with one result: completes a task with the result's bytes.</summary>
internal sealed class UnaryCall(string method) : PendingCall(method)
{
    private readonly TaskCompletionSource<ReadOnlyMemory<byte>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ReadOnlyMemory<byte>> Result => _result.Task;

    public override void Succeed(ReadOnlySpan<byte> result) => _result.TrySetResult(ReceivedBody.Keep(result));

    public override void Fail(Exception exception) => _result.TrySetException(exception);
}

/// <summary>A stream call: items queue up (at most the credit the caller granted), then the final outcome ends the queue.</summary>
internal sealed class StreamCall(string method) : PendingCall(method)
{
    private readonly System.Threading.Channels.Channel<byte[]> _items =
        System.Threading.Channels.Channel.CreateUnbounded<byte[]>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public System.Threading.Channels.ChannelReader<byte[]> Items => _items.Reader;

    public override void OnItem(ReadOnlySpan<byte> payload) => _items.Writer.TryWrite(ByteArrays.Copy(payload));

    public override void Succeed(ReadOnlySpan<byte> result) => _items.Writer.TryComplete();

    public override void Fail(Exception exception) => _items.Writer.TryComplete(exception);
}
