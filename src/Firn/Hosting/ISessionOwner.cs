namespace Firn.Hosting;

/// <summary>
/// The process a <see cref="ChildSession"/> belongs to, as far as the session needs it: a name, and where to report
/// the two frames that concern the child's life rather than its data (Ready and Control). <see cref="ManagedProcess"/>
/// is the real one; tests drive a <see cref="ChildSession"/> over a socket with their own.
/// </summary>
internal interface ISessionOwner
{
    /// <summary>The child's declared name; the session's identity in the router, the store and the call table.</summary>
    string Name { get; }

    /// <summary>The child's Ready frame: its entry started, or it signalled readiness.</summary>
    void OnReady(ChildSession session);

    /// <summary>A known Control request from the child (restart or stop itself or the app).</summary>
    void OnControlRequest(ChildSession session, ControlRequest request);
}
