namespace Firn.Rpc;

/// <summary>
/// A process as the main process's <see cref="RpcTable"/> sees it: it may own methods (the table sends it
/// invocations) and make calls (the table sends it replies). Implementations only enqueue; none blocks.
/// </summary>
internal abstract class RpcPeer
{
    private int _callsInFlight;
    private long _argumentBytesInFlight;
    private int _methods;
    private int _gone;
    private long _callsMade;
    private long _callsServed;

    protected RpcPeer(string processName) => ProcessName = processName;

    public string ProcessName { get; }

    /// <summary>Set once the process's connection is gone; the table then routes nothing more to it.</summary>
    public bool IsGone => Volatile.Read(ref _gone) != 0;

    /// <summary>Whether this peer stands for processes of another host (through an <see cref="IRpcEngine"/>): the table never routes its calls to another host again.</summary>
    public virtual bool IsOtherHost => false;

    /// <summary>Whether this process is not reading its connection fast enough; calls to it are refused meanwhile.</summary>
    public virtual bool IsCongested => false;

    /// <summary>Calls this process has made that have not been answered.</summary>
    public int CallsInFlight => Volatile.Read(ref _callsInFlight);

    /// <summary>Bytes of arguments of this process's calls in flight.</summary>
    public long ArgumentBytesInFlight => Interlocked.Read(ref _argumentBytesInFlight);

    /// <summary>Calls this process made that the table accepted (for operators' totals).</summary>
    public long CallsMade => Interlocked.Read(ref _callsMade);

    /// <summary>Invocations the table handed to this process (for operators' totals).</summary>
    public long CallsServed => Interlocked.Read(ref _callsServed);

    /// <summary>Methods this process has registered.</summary>
    public int MethodCount => Volatile.Read(ref _methods);

    /// <summary>Marks the peer gone; a full fence, so the table's re-checks after adding an entry see it (see <see cref="RpcTable"/>).</summary>
    public void MarkGone() => Interlocked.Exchange(ref _gone, 1);

    /// <summary>Hands this process an invocation of one of its methods; <see langword="false"/> if its connection has no room for it now.</summary>
    public abstract bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args);

    /// <summary>The caller gave up on an invocation this process is running.</summary>
    public abstract void CancelInvocation(uint invocationId);

    /// <summary>The caller of a stream invocation may take <paramref name="count"/> more items.</summary>
    public abstract void GrantInvocationCredit(uint invocationId, int count);

    /// <summary>The outcome of a call this process made.</summary>
    public abstract void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body);

    /// <summary>One item of a stream call this process made.</summary>
    public abstract void ReplyItem(uint callId, ReadOnlySpan<byte> payload);

    /// <summary>As <see cref="Reply"/>, from a producer that can wait: completes once the outcome is queued, waiting for room on the way.</summary>
    public virtual Task ReplyWhenRoomAsync(uint callId, RpcStatus status, ReadOnlySpan<byte> body)
    {
        Reply(callId, status, body);
        return Task.CompletedTask;
    }

    /// <summary>As <see cref="ReplyItem"/>, from a producer that can wait (see <see cref="ReplyWhenRoomAsync"/>).</summary>
    public virtual Task ReplyItemWhenRoomAsync(uint callId, ReadOnlySpan<byte> payload)
    {
        ReplyItem(callId, payload);
        return Task.CompletedTask;
    }

    /// <summary>Drops the connection of a process that broke the protocol.</summary>
    public abstract void Violate(string reason);

    /// <summary>Counts a new call against this process's limits; false (and nothing counted) if it would pass one.</summary>
    public bool TryBeginCall(int argumentBytes, int maxCalls, long maxArgumentBytes)
    {
        if (Interlocked.Increment(ref _callsInFlight) > maxCalls)
        {
            Interlocked.Decrement(ref _callsInFlight);
            return false;
        }

        if (Interlocked.Add(ref _argumentBytesInFlight, argumentBytes) > maxArgumentBytes && argumentBytes < Interlocked.Read(ref _argumentBytesInFlight))
        {
            // Over the byte budget, unless this call is the only one (a single call within the message size always fits).
            EndCall(argumentBytes);
            return false;
        }

        Interlocked.Increment(ref _callsMade);
        return true;
    }

    public void EndCall(int argumentBytes)
    {
        Interlocked.Decrement(ref _callsInFlight);
        Interlocked.Add(ref _argumentBytesInFlight, -argumentBytes);
    }

    public bool TryAddMethod(int max)
    {
        if (Interlocked.Increment(ref _methods) > max)
        {
            Interlocked.Decrement(ref _methods);
            return false;
        }

        return true;
    }

    public void RemoveMethod() => Interlocked.Decrement(ref _methods);

    /// <summary>Counts one invocation handed to this process.</summary>
    public void CountServed() => Interlocked.Increment(ref _callsServed);

    /// <inheritdoc />
    public override string ToString() => ProcessName;
}
