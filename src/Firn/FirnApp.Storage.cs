using Firn.Hosting;
using Firn.Storage;

namespace Firn;

/// <content>The shared store and pub/sub, wired for the main process or a child.</content>
public sealed partial class FirnApp
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly LocalSubscriptions _subscriptions = new();
    private KeyValueStore? _store;
    private IStoreEngine? _storeEngine;
    private IFirnBackendConnection? _backend;
    private TopicHub? _topicHub;
    private SharedMemory? _sharedMemory;
    private RemoteStoreBackend? _childStore;
    private Timer? _sweeper;
    private EventBus? _events;

    /// <summary>
    /// The key-value store and pub/sub shared by every process (the seed's <c>shared_memory</c>). In the main
    /// process it is usable at once; in a child, from its entry on.
    /// </summary>
    public SharedMemory SharedMemory => _sharedMemory ?? throw new InvalidOperationException(
        "SharedMemory is available in the main process, and in a child once it has connected (from its entry on).");

    /// <summary>
    /// Events (the seed's <c>Event(name, data)</c>) published to every process over pub/sub, subscribed to by name.
    /// Available where <see cref="SharedMemory"/> is.
    /// </summary>
    public EventBus Events => _events ??= new EventBus(SharedMemory, Serializer);

    /// <summary>The in-memory store itself (main process only, without a backend), for diagnostics and tests.</summary>
    internal KeyValueStore Store => _store ?? throw new InvalidOperationException(
        _backend is null ? "The store lives in the main process." : $"The store is on {Options.Backend!.Name}, not in this process's memory.");

    /// <summary>The main process's connection to <see cref="FirnAppOptions.Backend"/>, if any, for diagnostics and tests.</summary>
    internal IFirnBackendConnection? BackendConnection => _backend;

    /// <summary>What holds the store's data (main process only): the in-memory store, or the backend's engine.</summary>
    internal IStoreEngine StoreEngine => _storeEngine ?? throw new InvalidOperationException("The store lives in the main process.");

    /// <summary>The process registry across hosts (main process on a shared backend that has one), else <see langword="null"/>.</summary>
    internal IProcessRegistry? ProcessRegistry => _backend?.Processes;

    /// <summary>The pub/sub switchboard (main process only), for diagnostics and tests.</summary>
    internal TopicHub TopicHub => _topicHub ?? throw new InvalidOperationException("The pub/sub hub lives in the main process.");

    /// <summary>Creates the store and the hub; the main process's own calls reach them without a socket.</summary>
    /// <summary>
    /// Creates the store and the hub, in memory or over the backend of <see cref="FirnAppOptions.Backend"/> (which this
    /// connects); the main process's own calls reach them without a socket.
    /// </summary>
    private void InitializeMainStorage()
    {
        if (Options.Backend is { } backend)
        {
            _backend = backend.Connect(new FirnBackendContext(ProcessName, Serializer, LoggerFactory, Options.CallTimeout));
        }

        if (_backend?.Store is { } engine)
        {
            _storeEngine = engine;
        }
        else
        {
            var store = new KeyValueStore(Options.Serializer, Options.StoreMaxKeys, Options.StoreMaxBytes, metrics: Metrics);
            _store = store;
            _storeEngine = store;
            Metrics.ObserveStore(() => store.Count, () => store.Bytes);
        }

        // Before any channel is opened: the router was made first (InitializeMainChannels), with nothing opened yet.
        Router.Engine = _backend?.Channels;
        _backend?.Processes?.Publish(PublishedView);
        _topicHub = new TopicHub(LoggerFactory.CreateLogger("Firn.PubSub"), Metrics, _backend?.PubSub);
        var self = new LocalTopicSubscriber(ProcessName, _subscriptions);
        _sharedMemory = new SharedMemory(new LocalStoreBackend(_storeEngine), new LocalPubSubBackend(_topicHub, self), _subscriptions, Serializer, MessageLimit, LoggerFactory, Options.CallTimeout);
    }

    /// <summary>What this host publishes to the process registry: its children, with CPU and memory read now, and its channels.</summary>
    private HostView PublishedView()
    {
        var processes = GetProcesses().Select(s =>
        {
            var cpu = s.ProcessId is { } pid ? Meters.ProcStat.ReadCpuSeconds(pid) : null;
            var memory = s.ProcessId is { } p ? Meters.ProcStat.ReadResidentBytes(p) : null;
            return new HostProcess(s, cpu is { } c ? c.User + c.System : null, memory);
        });
        return new HostView(ProcessRegistry!.HostName, [.. processes], Router.List());
    }

    /// <summary>Starts removing expired keys once a second (the in-memory store; a backend expires keys itself).</summary>
    private void StartSweeper()
    {
        if (_store is { } store)
        {
            _sweeper = new Timer(_ => store.Sweep(), null, SweepInterval, SweepInterval);
        }
    }

    /// <summary>Closes the backend's connection, if any (after the app stopped).</summary>
    private ValueTask DisconnectBackendAsync() => _backend?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void StopSweeper() => _sweeper?.Dispose();

    /// <summary>Registers the child's store and pub/sub frame handlers; call before the child connects.</summary>
    private void InitializeChildStorage(ChildHost host)
    {
        var store = new RemoteStoreBackend(host, Options.CallTimeout);
        _childStore = store;
        var pubSub = new RemotePubSubBackend(host, _subscriptions);
        host.ConnectionLost += reason =>
        {
            store.OnDisconnected(reason);
            pubSub.OnDisconnected(reason);
        };
        _sharedMemory = new SharedMemory(store, pubSub, _subscriptions, Serializer, MessageLimit, LoggerFactory, Options.CallTimeout);
    }
}
