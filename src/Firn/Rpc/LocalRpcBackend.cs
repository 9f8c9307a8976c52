using Firn.Failures;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// The main process's RPC backend, and the main process in its own <see cref="RpcTable"/> (its <see cref="RpcPeer"/>):
/// its calls and registrations enter the table directly and its handlers are invoked directly, with no socket in
/// between. Arguments and results are still serialized, so a call behaves the same whichever process handles it.
/// </summary>
internal sealed class LocalRpcBackend : RpcPeer, IRpcBackend, IRpcResponder
{
    private readonly RpcTable _table;
    private readonly RpcDispatcher _dispatcher;
    private readonly PendingRequests<PendingCall> _pending;

    public LocalRpcBackend(RpcTable table, RpcDispatcher dispatcher, PendingRequests<PendingCall> pending)
        : base(dispatcher.ProcessName)
    {
        _table = table;
        _dispatcher = dispatcher;
        _pending = pending;
    }

    // IRpcBackend: this process's calls and registrations.
    public Task RegisterAsync(string name, CancellationToken cancellationToken)
    {
        var registering = _table.RegisterAsync(this, name);
        if (registering.IsCompletedSuccessfully)
        {
            return registering.Result is { } error ? Task.FromException(FirnErrors.RegistrationRefused(name, error)) : Task.CompletedTask;
        }

        return RegisteredAsync(name, registering);
    }

    private static async Task RegisteredAsync(string name, Task<string?> registering)
    {
        if (await registering.ConfigureAwait(false) is { } error)
        {
            throw FirnErrors.RegistrationRefused(name, error);
        }
    }

    public void Unregister(string name) => _table.Unregister(this, name);

    public bool CarriesTraceContext => true;

    public ValueTask CallAsync(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args, CancellationToken cancellationToken)
    {
        _table.Call(this, callId, flags, credit, method, args);
        return ValueTask.CompletedTask;
    }

    public void Cancel(uint callId) => _table.Cancel(this, callId);

    public void GrantCredit(uint callId, int count) => _table.GrantCredit(this, callId, count);

    // RpcPeer: what the table hands this process.
    public override bool Invoke(uint invocationId, RpcFlags flags, int credit, string method, string caller, ReadOnlySpan<byte> args)
    {
        _dispatcher.Invoke(invocationId, flags, credit, method, caller, args, this);
        return true;
    }

    public override void CancelInvocation(uint invocationId) => _dispatcher.Cancel(invocationId);

    public override void GrantInvocationCredit(uint invocationId, int count) => _dispatcher.AddCredit(invocationId, count);

    public override void Reply(uint callId, RpcStatus status, ReadOnlySpan<byte> body) => _pending.Complete(callId, status, body);

    public override void ReplyItem(uint callId, ReadOnlySpan<byte> payload) => _pending.Item(callId, payload);

    public override void Violate(string reason) =>
        throw new InvalidOperationException($"Firn's main process broke its own RPC protocol: {reason}. This is a bug in Firn.");

    // IRpcResponder: outcomes of the invocations this process runs.
    // The main process's own handlers wait for room in the caller's buffer (their results are not held for them).
    Task IRpcResponder.CompleteAsync(uint invocationId, RpcStatus status, ReadOnlySpan<byte> body) => _table.CompleteWhenRoomAsync(this, invocationId, status, body);

    Task IRpcResponder.StreamItemAsync(uint invocationId, ReadOnlySpan<byte> payload) => _table.StreamItemWhenRoomAsync(this, invocationId, payload);
}
