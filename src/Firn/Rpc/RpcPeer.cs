namespace Firn.Rpc;

/// <summary>
/// A process as the main process's <see cref="RpcTable"/> sees it: it may own methods (the table sends it
/// invocations) and make calls (the table sends it replies). Implementations only enqueue; none blocks.
/// </summary>
internal abstract class RpcPeer
{
    private int _callsInFlight;
    private volatile bool _gone;

    protected RpcPeer(string processName) => ProcessName = processName;

    public string ProcessName { get; }

    /// <summary>Set once the process's connection is gone; the table then routes nothing more to it.</summary>
    public bool IsGone
    {
        get => _gone;
        set => _gone = value;
    }

    /// <summary>Calls this process has made that have not been answered.</summary>
    public int CallsInFlight => Volatile.Read(ref _callsInFlight);

    /// <summary>Hands this process an invocation of one of its methods.</summary>
    public abstract void Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args);

    /// <summary>The caller gave up on an invocation this process is running.</summary>
    public abstract void CancelInvocation(uint invocationId);

    /// <summary>The caller of a stream invocation may take <paramref name="count"/> more items.</summary>
    public abstract void GrantInvocationCredit(uint invocationId, int count);

    /// <summary>The outcome of a call this process made.</summary>
    public abstract void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body);

    /// <summary>One item of a stream call this process made.</summary>
    public abstract void ReplyItem(uint callId, ReadOnlySpan<byte> payload);

    /// <summary>Drops the connection of a process that broke the protocol.</summary>
    public abstract void Violate(string reason);

    public int BeginCall() => Interlocked.Increment(ref _callsInFlight);

    public void EndCall() => Interlocked.Decrement(ref _callsInFlight);

    /// <inheritdoc />
    public override string ToString() => ProcessName;
}
