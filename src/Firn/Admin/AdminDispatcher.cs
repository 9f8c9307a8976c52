using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>Runs one admin request against the app: each group of ops is in its own file.</summary>
internal sealed partial class AdminDispatcher(AdminServices app, ILogger logger)
{
    public Task<AdminResult> RunAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken) => request.Op switch
    {
        "ps" => Task.FromResult(Ps()),
        "describe" => Task.FromResult(Describe(request)),
        "start" => StartAsync(request, client, cancellationToken),
        "stop" => StopAsync(request, client),
        "restart" => RestartAsync(request, client, cancellationToken),
        "signal" => Task.FromResult(Signal(request, client)),
        "restart-app" => Task.FromResult(RestartApp(client)),
        "stop-app" => Task.FromResult(StopApp(client)),
        "wait" => WaitAsync(request, cancellationToken),
        "logs" => Task.FromResult(Logs(request)),
        "channels" => Task.FromResult(Channels()),
        "top" => Task.FromResult(Top()),
        "store.get" => StoreGetAsync(request, cancellationToken),
        "store.keys" => StoreKeysAsync(request, cancellationToken),
        "store.set" => StoreSetAsync(request, client, cancellationToken),
        "store.del" => StoreDeleteAsync(request, client, cancellationToken),
        "sub" => SubscribeAsync(request, cancellationToken),
        "rpc.list" => Task.FromResult(RpcList()),
        "rpc.call" => RpcCallAsync(request, client, cancellationToken),
        _ => throw new AdminException(AdminErrors.UnknownOp, $"Unknown op '{request.Op}'."),
    };

    private void Audit(AdminClient client, string action) => LogChange(logger, action, client.ProcessId, client.UserId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin: {Action} (client pid {Pid}, uid {Uid})")]
    private static partial void LogChange(ILogger logger, string action, int pid, uint uid);
}
