namespace Firn.Rpc;

/// <summary>How a process's calls and registrations reach the main process's <see cref="RpcTable"/>: directly in the main process, as frames in a child.</summary>
internal interface IRpcBackend
{
    /// <summary>Claims a method name for this process; fails with <see cref="RpcException"/> if another process has it.</summary>
    Task RegisterAsync(string name, CancellationToken cancellationToken);

    void Unregister(string name);

    /// <summary>
    /// Sends a call once there is room for it (a child waits for room in its own connection buffer; the arguments are
    /// copied if it must); throws <see cref="FirnDisconnectedException"/> when the main process cannot be reached.
    /// </summary>
    ValueTask CallAsync(uint callId, RpcFlags flags, int credit, string method, ReadOnlySpan<byte> args, CancellationToken cancellationToken);

    void Cancel(uint callId);

    /// <summary>Lets a stream call's handler send <paramref name="count"/> more items.</summary>
    void GrantCredit(uint callId, int count);
}
