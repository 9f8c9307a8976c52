using Firn.Rpc;
using Firn.Serialization;
using Firn.Storage;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// Where a main process keeps the state its features share: <see langword="null"/> on <see cref="FirnAppOptions"/> for
/// the in-memory default, or a backend a package sets (Firn.Redis's <c>UseRedis</c>) so that several main processes share
/// it. Only a main process connects; its children keep talking to it over their socket (the gateway model, docs/redis.md).
/// </summary>
/// <remarks>
/// Each feature the backend takes over is one engine of <see cref="IFirnBackendConnection"/>; an engine it leaves
/// <see langword="null"/> stays in memory, local to the main process (today: channels).
/// </remarks>
internal interface IFirnBackend
{
    /// <summary>A short name for logs and errors (for example <c>Redis</c>).</summary>
    string Name { get; }

    /// <summary>Connects for one main process; called once, when the app is created. Reconnecting is the backend's business.</summary>
    IFirnBackendConnection Connect(FirnBackendContext context);
}

/// <summary>What a backend needs to know of the main process it serves.</summary>
internal sealed record FirnBackendContext(string ProcessName, IFirnSerializer Serializer, ILoggerFactory LoggerFactory, TimeSpan CallTimeout);

/// <summary>A main process's connection to its backend: the engines it provides, <see langword="null"/> for a feature it leaves in memory.</summary>
internal interface IFirnBackendConnection : IAsyncDisposable
{
    /// <summary>The shared store, or <see langword="null"/> for the in-memory one.</summary>
    IStoreEngine? Store { get; }

    /// <summary>Pub/sub across main processes, or <see langword="null"/> for this main process's hub alone.</summary>
    IPubSubEngine? PubSub { get; }

    /// <summary>
    /// The process registry across hosts, or <see langword="null"/> when the supervisor's view, the channel list and the
    /// admin socket show this main process's children only.
    /// </summary>
    IProcessRegistry? Processes { get; }

    /// <summary>RPC across main processes, or <see langword="null"/> for calls between this main process's processes only.</summary>
    IRpcEngine? Rpc { get; }

    /// <summary>Channels shared across main processes, or <see langword="null"/> for this main process's router alone.</summary>
    Routing.IChannelEngine? Channels { get; }
}
