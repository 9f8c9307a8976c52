using Firn.Routing;
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

    public MainServices(Router router) => Router = router;

    public Router Router { get; }

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
