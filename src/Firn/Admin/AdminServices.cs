using Firn.Hosting;
using Firn.Rpc;
using Firn.Serialization;
using Firn.Storage;
using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>What the admin endpoint reaches of the running app (the App layer hands it over; Admin cannot see FirnApp).</summary>
internal sealed class AdminServices
{
    public required string AppName { get; init; }

    public required string MainProcessName { get; init; }

    public required MainServices Main { get; init; }

    public required SharedMemory SharedMemory { get; init; }

    public required RpcEndpoint Rpc { get; init; }

    public required IFirnSerializer Serializer { get; init; }

    public required AdminLogRing Logs { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The other hosts' children and channels when the app is on a shared backend with a process registry, else null.</summary>
    public IProcessRegistry? Registry { get; init; }

    /// <summary>The children in declaration order.</summary>
    public required Func<IReadOnlyList<ManagedProcess>> Processes { get; init; }

    /// <summary>Restarts the whole app (every child; the main process keeps running).</summary>
    public required Func<CancellationToken, Task> RestartApp { get; init; }

    /// <summary>Asks the app to stop.</summary>
    public required Action StopApp { get; init; }

    /// <summary>Fires when the app begins to stop.</summary>
    public required CancellationToken Stopping { get; init; }

    public ManagedProcess? Find(string name)
    {
        foreach (var process in Processes())
        {
            if (string.Equals(process.Name, name, StringComparison.Ordinal))
            {
                return process;
            }
        }

        return null;
    }
}
