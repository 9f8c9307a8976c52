namespace Firn.Rpc;

/// <summary>How a process's calls and registrations reach the main process's <see cref="RpcTable"/>: directly in the main process, as frames in a child.</summary>
internal interface IRpcBackend
{
    /// <summary>Claims a method name for this process; throws <see cref="RpcException"/> if another process has it.</summary>
    Task RegisterAsync(string name, CancellationToken cancellationToken);

    void Unregister(string name);

    /// <summary>Sends a call; throws <see cref="RpcException"/> when the main process cannot be reached.</summary>
    void Call(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args);

    void Cancel(uint callId);

    /// <summary>Lets a stream call's handler send <paramref name="count"/> more items.</summary>
    void GrantCredit(uint callId, int count);
}
