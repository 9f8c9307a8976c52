using System.Collections.Concurrent;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// The calls this process has made and not yet seen answered, by call id. Replies may arrive in any order
/// and from any thread; each is matched to its call by id. Nothing is held across a round trip.
/// </summary>
internal sealed class PendingCalls : IDisposable
{
    private readonly ConcurrentDictionary<uint, PendingCall> _calls = new();
    private readonly DeadlineSweep _deadlines;
    private uint _nextId;

    public PendingCalls() => _deadlines = new DeadlineSweep(Expire);

    public int Count => _calls.Count;

    /// <summary>Called with the id of a call whose deadline passed, after it was forgotten and failed (to cancel it remotely).</summary>
    public Action<uint>? Expired { get; set; }

    /// <summary>Adds a call and returns its id; a call with a <see cref="PendingCall.Deadline"/> is failed by the sweep once it passes.</summary>
    public uint Add(PendingCall call)
    {
        while (true)
        {
            var id = Interlocked.Increment(ref _nextId);

            // Ids wrap after 2^32 calls; skip one still in use by a very long call.
            if (_calls.TryAdd(id, call))
            {
                if (call.Deadline != 0)
                {
                    _deadlines.Arm();
                }

                return id;
            }
        }
    }

    public void Dispose() => _deadlines.Dispose();

    /// <summary>Forgets a call (it was cancelled or timed out); a late reply is then ignored.</summary>
    public bool Remove(uint id) => _calls.TryRemove(id, out _);

    public void Complete(uint id, RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (_calls.TryRemove(id, out var call))
        {
            call.Complete(status, body);
        }
    }

    public void Item(uint id, ReadOnlySpan<byte> payload)
    {
        if (_calls.TryGetValue(id, out var call))
        {
            call.OnItem(payload);
        }
    }

    /// <summary>Fails the calls whose deadline has passed; returns whether any call still has one.</summary>
    private bool Expire(long now) => DeadlineSweep.ExpirePassed(_calls, now, call => call.Deadline, (id, call) =>
    {
        call.Fail(new TimeoutException($"The call to '{call.Method}' was not answered within {call.Timeout}; it was cancelled."));
        Expired?.Invoke(id);
    });

    /// <summary>Fails every call, for example when the connection to the main process is lost.</summary>
    public void FailAll(string reason)
    {
        foreach (var id in _calls.Keys)
        {
            if (_calls.TryRemove(id, out var call))
            {
                call.Fail(new RpcException($"The call to '{call.Method}' failed: {reason}.", call.Method, null));
            }
        }
    }
}

/// <summary>A call waiting for its outcome.</summary>
internal abstract class PendingCall(string method)
{
    public string Method { get; } = method;

    /// <summary>When the call times out (<see cref="Environment.TickCount64"/>), or 0 when nothing here watches its time.</summary>
    public long Deadline { get; private set; }

    /// <summary>The timeout the deadline came from, for the error.</summary>
    public TimeSpan Timeout { get; private set; }

    /// <summary>Has the pending calls' sweep fail this call after <paramref name="timeout"/>; call before it is added.</summary>
    public void ExpireAfter(TimeSpan timeout)
    {
        Timeout = timeout;
        Deadline = DeadlineSweep.DeadlineAfter(timeout);
    }

    /// <summary>The final outcome: a result (status ok) or an encoded <see cref="RpcError"/>.</summary>
    public void Complete(RpcStatus status, ReadOnlySpan<byte> body)
    {
        if (status == RpcStatus.Ok)
        {
            Succeed(body);
        }
        else
        {
            Fail(RpcError.Decode(body).ToException(status, Method));
        }
    }

    public abstract void Succeed(ReadOnlySpan<byte> result);

    public abstract void Fail(Exception exception);

    public virtual void OnItem(ReadOnlySpan<byte> payload)
    {
    }
}

/// <summary>A call with one result: completes a task with the result's bytes.</summary>
internal sealed class UnaryCall(string method) : PendingCall(method)
{
    private readonly TaskCompletionSource<byte[]> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<byte[]> Result => _result.Task;

    public override void Succeed(ReadOnlySpan<byte> result) => _result.TrySetResult(result.ToArray());

    public override void Fail(Exception exception) => _result.TrySetException(exception);
}

/// <summary>A stream call: items queue up (at most the credit the caller granted), then the final outcome ends the queue.</summary>
internal sealed class StreamCall(string method) : PendingCall(method)
{
    private readonly System.Threading.Channels.Channel<byte[]> _items =
        System.Threading.Channels.Channel.CreateUnbounded<byte[]>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public System.Threading.Channels.ChannelReader<byte[]> Items => _items.Reader;

    public override void OnItem(ReadOnlySpan<byte> payload) => _items.Writer.TryWrite(payload.ToArray());

    public override void Succeed(ReadOnlySpan<byte> result) => _items.Writer.TryComplete();

    public override void Fail(Exception exception) => _items.Writer.TryComplete(exception);
}
