using Firn.Rpc;

namespace Firn;

/// <summary>
/// What a handler may learn about the call it serves: declare a parameter of this type (it is filled in,
/// not sent by the caller). The caller's identity comes from its authenticated connection, never from the call.
/// </summary>
public sealed class RpcCallContext
{
    internal RpcCallContext(string method, string callerProcess, CancellationToken cancellationToken)
    {
        Method = method;
        CallerProcess = callerProcess;
        CancellationToken = cancellationToken;
    }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>The name of the process that made the call.</summary>
    public string CallerProcess { get; }

    /// <summary>Fires when the caller cancels or times out, when it exits, or when this process stops.</summary>
    public CancellationToken CancellationToken { get; }
}
