using Firn.Routing;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>
/// What the main process offers its children: the frame handlers each feature (channels, store, pub/sub, RPC)
/// registers for its own frame kinds over the state it owns. A <see cref="ChildSession"/> dispatches every frame that
/// is not about the child's life here, so features plug in without touching the session.
/// </summary>
internal sealed class MainServices : ISessionServices
{
    /// <summary>The handlers by frame kind (an array: channel acknowledgements are dispatched through it).</summary>
    private readonly SessionFrameHandler?[] _handlers = new SessionFrameHandler?[byte.MaxValue + 1];

    private MainServices(Router router, IStoreEngine store, TopicHub topicHub, RpcTable rpcTable, int maxMessageSize)
    {
        Store = store;
        TopicHub = topicHub;
        RpcTable = rpcTable;

        // First, so that when a session ends the router forgets the child before the other features drop their state.
        Channels = new ChannelServer(router, maxMessageSize, this);
    }

    public Router Router => Channels.Router;

    public ChannelServer Channels { get; }

    public IStoreEngine Store { get; }

    public TopicHub TopicHub { get; }

    public RpcTable RpcTable { get; }

    /// <summary>The children's end of RPC.</summary>
    public RpcServer Rpc { get; private set; } = null!;

    /// <summary>The main process's own calls (its local backend), counted with the children's in <see cref="RpcTotals"/>.</summary>
    public RpcPeer? MainRpcPeer { get; set; }

    /// <summary>Calls made and served, by process name (the connected children's, and the main process's).</summary>
    public Dictionary<string, (long Made, long Served)> RpcTotals()
    {
        var totals = new Dictionary<string, (long Made, long Served)>(StringComparer.Ordinal);
        IEnumerable<RpcPeer> peers = MainRpcPeer is { } main ? [main, .. Rpc.Peers] : Rpc.Peers;
        foreach (var peer in peers)
        {
            var current = totals.GetValueOrDefault(peer.ProcessName);
            totals[peer.ProcessName] = (current.Made + peer.CallsMade, current.Served + peer.CallsServed);
        }

        return totals;
    }

    /// <summary>
    /// Wires every feature's frame handlers over the main process's state. <c>FirnApp</c> serves its children with
    /// this; tests and fuzzers drive the same wiring without an app (no socket, no timers, no threads).
    /// </summary>
    public static MainServices Create(Router router, IStoreEngine store, TopicHub topicHub, RpcTable rpcTable, int maxMessageSize)
    {
        var services = new MainServices(router, store, topicHub, rpcTable, maxMessageSize);
        _ = new StoreServer(store, maxMessageSize, services);
        _ = new PubSubServer(topicHub, services);
        services.Rpc = new RpcServer(rpcTable, services);
        return services;
    }

    /// <summary>Raised when a child's connection is gone, after its session ended; the router forgets it first.</summary>
    public event Action<IPeerSession>? SessionEnded;

    /// <summary>Registers the handler of one frame kind; call before any child connects.</summary>
    public void Register(FrameKind kind, SessionFrameHandler handler)
    {
        if (_handlers[(byte)kind] is not null)
        {
            throw new ArgumentException($"A handler of frame kind {kind} is already registered.", nameof(kind));
        }

        _handlers[(byte)kind] = handler;
    }

    public bool TryHandle(ChildSession session, FrameKind kind, ReadOnlySpan<byte> body)
    {
        if (_handlers[(byte)kind] is not { } handler)
        {
            return false;
        }

        handler(session, body);
        return true;
    }

    /// <summary>Forgets a child whose connection closed: first it takes no more frames, then every feature drops its state.</summary>
    public void EndSession(ChildSession session)
    {
        session.End();
        SessionEnded?.Invoke(session);
    }
}
