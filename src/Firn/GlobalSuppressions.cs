using System.Diagnostics.CodeAnalysis;

// These types own CancellationTokenSource/SemaphoreSlim instances without timers or wait handles: they hold no
// unmanaged resource, and their owners live as long as the connection or the process. Disposing them while
// another thread may still cancel or release would turn a harmless race into ObjectDisposedException.
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Channels.ChannelEndpoint")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Hosting.ChildHost")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Transport.Connection")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Transport.OutboundBuffer")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Hosting.ManagedProcess")]

// A table of pending requests owns a sweep timer that runs only while a request with a deadline waits, and stops by
// itself after; these backends live as long as the child's one connection, and their tables are failed when it closes.
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Rpc.RemoteRpcBackend")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Storage.RemotePubSubBackend")]
[assembly: SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See above.", Scope = "type", Target = "~T:Firn.Routing.RemoteRouterLink")]

// The seed's type is Event(name, data); Firn keeps its name. VB callers write [Event].
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "The seed's name.", Scope = "type", Target = "~T:Firn.Event")]

// Named after Go's select and LiteyukiStudio's magicoca.select, which Firn users know; Visual Basic callers write [Select].
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "See above.", Scope = "type", Target = "~T:Firn.Select")]
