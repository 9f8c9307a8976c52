using Firn.Routing;
using Firn.Rpc;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Hosting;

/// <summary>Handles one frame of a feature (store, pub/sub, RPC) from an authenticated child.</summary>
/// <param name="session">The child that sent it; identity comes from the connection, never from the body.</param>
/// <param name="body">The frame body; valid only during the call.</param>
internal delegate void SessionFrameHandler(ChildSession session, ReadOnlySpan<byte> body);

/// <summary>
/// What the main process offers its children: the channel router plus the frame handlers each feature
/// registers for its own frame kinds. A <see cref="ChildSession"/> dispatches every frame that is not a
/// channel frame here, so features plug in without touching the session.
/// </summary>
internal sealed class MainServices
{
    private readonly Dictionary<FrameKind, SessionFrameHandler> _handlers = [];

    private MainServices(Router router, KeyValueStore store, TopicHub topicHub, RpcTable rpcTable)
    {
        Router = router;
        Store = store;
        TopicHub = topicHub;
        RpcTable = rpcTable;
    }

    public Router Router { get; }

    public KeyValueStore Store { get; }

    public TopicHub TopicHub { get; }

    public RpcTable RpcTable { get; }

    /// <summary>
    /// Wires every feature's frame handlers over the main process's state. <c>FirnApp</c> serves its children with
    /// this; tests and fuzzers drive the same wiring without an app (no socket, no timers, no threads).
    /// </summary>
    public static MainServices Create(Router router, KeyValueStore store, TopicHub topicHub, RpcTable rpcTable, int maxMessageSize)
    {
        var services = new MainServices(router, store, topicHub, rpcTable);
        _ = new StoreServer(store, maxMessageSize, services);
        _ = new PubSubServer(topicHub, services);
        _ = new RpcServer(rpcTable, services);
        _ = new ChannelListServer(router, maxMessageSize, services);
        return services;
    }

    /// <summary>Raised when a child's connection is gone, after the router forgot it.</summary>
    public event Action<ChildSession>? SessionEnded;

    /// <summary>Registers the handler of one frame kind; call before any child connects.</summary>
    public void Register(FrameKind kind, SessionFrameHandler handler) => _handlers.Add(kind, handler);

    public bool TryHandle(ChildSession session, FrameKind kind, ReadOnlySpan<byte> body)
    {
        if (!_handlers.TryGetValue(kind, out var handler))
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
        Router.RemovePeer(session);
        SessionEnded?.Invoke(session);
    }
}
