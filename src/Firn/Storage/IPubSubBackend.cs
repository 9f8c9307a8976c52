namespace Firn.Storage;

/// <summary>
/// How a process's subscriptions and publications reach the place that owns pub/sub: <see cref="LocalPubSubBackend"/>
/// calls the <see cref="TopicHub"/> in the main process directly; <see cref="RemotePubSubBackend"/> sends a child's as
/// frames, and hands the publications the hub sends back to the process's <see cref="LocalSubscriptions"/>. A backend
/// for several machines (Redis, say) would be a third implementation of this contract.
/// </summary>
/// <remarks>
/// What an implementation must guarantee:
/// <list type="bullet">
/// <item>The hub knows each topic or pattern once per process: <see cref="LocalSubscriptions"/> registers a key once and
/// fans its publications out to every local subscription.</item>
/// <item>A registration's task completes once the hub has it: every publication on a matching topic published after that
/// reaches this process (unless the process is not reading, when the hub counts it as missed instead of waiting).</item>
/// <item>The publications of one process reach the hub in the order they were published, and each subscriber gets them
/// in that order.</item>
/// <item>When the hub cannot be reached (the connection to the main process is closed or lost), registrations still
/// waiting fail with <see cref="StoreException"/>, and so do publications; a refusal by the hub (a bad topic, too
/// many subscriptions) also fails the registration with <see cref="StoreException"/>.</item>
/// </list>
/// </remarks>
internal interface IPubSubBackend
{
    /// <summary>
    /// Tells the hub this process subscribes to <paramref name="key"/>; completes once the hub has it. Called under the
    /// subscription table's lock, so it only enqueues: it must not block or call back into the table.
    /// </summary>
    Task Register(string key, bool isPattern);

    /// <summary>
    /// Tells the hub this process no longer subscribes to <paramref name="key"/>; a registration of the key still
    /// waiting for the hub is withdrawn (its task is cancelled). Only enqueues, as <see cref="Register"/> does.
    /// </summary>
    void Unregister(string key, bool isPattern);

    /// <summary>
    /// Publishes; completes once the publication is queued for the hub, not once it was delivered (a child waits for room
    /// in its own connection buffer, copying the payload if it must).
    /// </summary>
    ValueTask PublishAsync(string topic, string typeName, ReadOnlySpan<byte> payload);

    /// <summary>Whether publications may carry trace context (in a child: the connection agreed on "trace-context").</summary>
    bool CarriesTraceContext { get; }

    /// <summary>Throws <see cref="FirnDisconnectedException"/> if the hub can no longer be reached (a child that lost its connection).</summary>
    void ThrowIfDisconnected(string key);
}
