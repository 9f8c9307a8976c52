using Firn.Hosting;
using Firn.Rpc;

namespace Firn;

/// <content>Remote procedure calls, wired for the main process or a child.</content>
public sealed partial class FirnApp
{
    private readonly Transport.PendingRequests<PendingCall> _rpcPending = PendingCalls.Create();
    private RpcDispatcher? _rpcDispatcher;
    private RpcTable? _rpcTable;
    private RpcEndpoint? _rpc;
    private LocalRpcBackend? _localRpc;

    /// <summary>
    /// Remote procedure calls: register handlers and typed services in any process, call them from any process.
    /// In the main process it is usable at once (registrations made before <see cref="FirnSupervisor.StartAsync"/> are in place
    /// when children start); in a child, from its entry on.
    /// </summary>
    public RpcEndpoint Rpc => _rpc ?? throw new InvalidOperationException("RPC is not available in this process.");

    /// <summary>The main process's call table, for diagnostics and tests.</summary>
    internal RpcTable RpcTable => _rpcTable ?? throw new InvalidOperationException("The call table lives in the main process.");

    private void InitializeRpc()
    {
        _rpcDispatcher = new RpcDispatcher(ProcessName, Serializer, MessageLimit, LoggerFactory.CreateLogger("Firn.Rpc"), Metrics);
        _rpc = new RpcEndpoint(_rpcDispatcher, _rpcPending, Serializer, MessageLimit, Options.CallTimeout, Metrics);
        if (_child is null)
        {
            _rpcTable = new RpcTable(ProcessName, Options.MaxCallsInFlight, Options.ConnectionBufferLimit);
            if (_backend?.Rpc is { } engine)
            {
                _rpcTable.UseEngine(engine);
            }

            _rpcDispatcher.StopWith(_stopping.Token);
            _localRpc = new LocalRpcBackend(_rpcTable, _rpcDispatcher, _rpcPending);
            _rpc.Bind(_localRpc);
        }
    }

    /// <summary>Registers the child's RPC frame handlers; call before the child connects.</summary>
    private void InitializeChildRpc(ChildHost host)
    {
        var backend = new RemoteRpcBackend(host, _rpcDispatcher!, _rpcPending, Options.CallTimeout);
        _rpcDispatcher!.StopWith(host.Stopping);
        host.ConnectionLost += backend.OnDisconnected;
        _rpc!.Bind(backend);
    }

    /// <summary>A stopping child lets its running handlers answer before it closes the connection.</summary>
    private Task DrainRpcAsync(TimeSpan timeout) => _rpcDispatcher?.DrainAsync(timeout) ?? Task.CompletedTask;
}
