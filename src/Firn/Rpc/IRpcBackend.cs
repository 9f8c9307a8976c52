namespace Firn.Rpc;

/// <summary>
/// How a process's calls and registrations reach the place that owns the call table: <see cref="LocalRpcBackend"/>
/// enters the main process's <see cref="RpcTable"/> directly; <see cref="RemoteRpcBackend"/> sends a child's as frames,
/// and hands what the table sends back (invocations to the <see cref="RpcDispatcher"/>, outcomes to
/// <see cref="PendingCalls"/>). Across machines the table itself reaches the other hosts, through an <see cref="IRpcEngine"/>.
/// </summary>
/// <remarks>
/// What an implementation must guarantee:
/// <list type="bullet">
/// <item>A method name belongs to at most one process at a time; once <see cref="RegisterAsync"/> completes, every call
/// to the name from any process reaches this process, until <see cref="Unregister"/> or its exit.</item>
/// <item><see cref="CallAsync"/> completes once the call is on its way, not once it is answered: the outcome (and a
/// stream's items, in order) arrives through <see cref="PendingCalls"/> under <c>callId</c>. The calls, cancellations and
/// credits of one process reach the table in the order they were made.</item>
/// <item>Nothing but <see cref="RegisterAsync"/> and <see cref="CallAsync"/> waits; the others only enqueue.</item>
/// <item>When the table cannot be reached (the connection to the main process is closed or lost), registrations and
/// calls fail with <see cref="FirnDisconnectedException"/>, and so does every call and registration still waiting for its answer.</item>
/// </list>
/// </remarks>
internal interface IRpcBackend
{
    /// <summary>Whether calls through this back end may carry trace context (the connection agreed on "trace-context").</summary>
    bool CarriesTraceContext { get; }

    /// <summary>
    /// Claims a method name for this process; throws <see cref="RpcException"/> if another process has it. In a child,
    /// no answer within <see cref="FirnAppOptions.CallTimeout"/> throws <see cref="TimeoutException"/> and a cancellation
    /// <see cref="OperationCanceledException"/>; either way the name is given back.
    /// </summary>
    Task RegisterAsync(string name, CancellationToken cancellationToken);

    /// <summary>Gives a method name back; a later call to it fails as not found, unless another process registers it.</summary>
    void Unregister(string name);

    /// <summary>
    /// Sends a call once there is room for it (a child waits for room in its own connection buffer; the arguments are
    /// copied if it must); throws <see cref="FirnDisconnectedException"/> when the main process cannot be reached.
    /// </summary>
    ValueTask CallAsync(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args, CancellationToken cancellationToken);

    /// <summary>The caller stopped waiting for a call in flight: the table forgets it and asks its handler to stop.</summary>
    void Cancel(uint callId);

    /// <summary>Lets a stream call's handler send <paramref name="count"/> more items.</summary>
    void GrantCredit(uint callId, int count);
}
