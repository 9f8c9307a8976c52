using Firn.Hosting;

namespace Firn;

/// <content>
/// Lifespan hooks, as in the original: before/after start, before a child shuts down, before a child restarts, after
/// shutdown, after restart, plus after a child started and after a child failed. Every hook has an async form (with a
/// cancellation token) and a sync form. Hooks of one event run one after another in registration order, in the main
/// process only; a failing hook is logged and the others still run. The order of events is in the README.
/// </content>
public sealed partial class FirnApp
{
    private readonly LifespanHooks _beforeStart = new("before-start");
    private readonly LifespanHooks _afterStart = new("after-start");
    private readonly LifespanHooks _beforeShutdown = new("before-shutdown");
    private readonly LifespanHooks _afterShutdown = new("after-shutdown");
    private readonly LifespanHooks _beforeRestart = new("before-restart");
    private readonly LifespanHooks _afterRestart = new("after-restart");
    private readonly ProcessHooks _processHooks = new();

    /// <summary>Registers a hook that runs before any child starts; the start waits for it.</summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnBeforeStart(Func<CancellationToken, Task> hook) => _beforeStart.Add(hook);

    /// <summary>Registers a synchronous hook that runs before any child starts; the start waits for it.</summary>
    /// <param name="hook">The hook.</param>
    public void OnBeforeStart(Action hook) => _beforeStart.Add(hook);

    /// <summary>Registers a hook that runs once every child is running. It runs alongside the app (it may loop until its token fires, like the seed's "send every 3 seconds"); stopping waits for it to return.</summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnAfterStart(Func<CancellationToken, Task> hook) => _afterStart.Add(hook);

    /// <summary>Registers a synchronous hook that runs once every child is running. It runs alongside the app (it may loop until its token fires, like the seed's "send every 3 seconds"); stopping waits for it to return.</summary>
    /// <param name="hook">The hook.</param>
    public void OnAfterStart(Action hook) => _afterStart.Add(hook);

    /// <summary>Registers a hook that runs when the app stops, before any child is stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnBeforeShutdown(Func<CancellationToken, Task> hook) => _beforeShutdown.Add(hook);

    /// <summary>Registers a synchronous hook that runs when the app stops, before any child is stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnBeforeShutdown(Action hook) => _beforeShutdown.Add(hook);

    /// <summary>Registers a hook that runs after every child has stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnAfterShutdown(Func<CancellationToken, Task> hook) => _afterShutdown.Add(hook);

    /// <summary>Registers a synchronous hook that runs after every child has stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnAfterShutdown(Action hook) => _afterShutdown.Add(hook);

    /// <summary>Registers a hook that runs when the whole application restarts (<see cref="FirnSupervisor.RestartAsync"/>), before any child is stopped.</summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnBeforeRestart(Func<CancellationToken, Task> hook) => _beforeRestart.Add(hook);

    /// <summary>Registers a synchronous hook that runs when the whole application restarts (<see cref="FirnSupervisor.RestartAsync"/>), before any child is stopped.</summary>
    /// <param name="hook">The hook.</param>
    public void OnBeforeRestart(Action hook) => _beforeRestart.Add(hook);

    /// <summary>Registers a hook that runs when the whole application has restarted: every child is running again.</summary>
    /// <param name="hook">The hook; its token fires when the app stops.</param>
    public void OnAfterRestart(Func<CancellationToken, Task> hook) => _afterRestart.Add(hook);

    /// <summary>Registers a synchronous hook that runs when the whole application has restarted: every child is running again.</summary>
    /// <param name="hook">The hook.</param>
    public void OnAfterRestart(Action hook) => _afterRestart.Add(hook);

    /// <summary>Registers a hook that runs after a child became ready: at its first start and after every restart.</summary>
    /// <param name="hook">The hook; it gets the child's name, and a token that fires when the app stops.</param>
    public void OnAfterProcessStart(Func<string, CancellationToken, Task> hook) => _processHooks.AfterStart.Add(hook);

    /// <summary>Registers a synchronous hook that runs after a child became ready: at its first start and after every restart.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnAfterProcessStart(Action<string> hook) => _processHooks.AfterStart.Add(hook);

    /// <summary>Registers a hook that runs before a running child is stopped on purpose (by <see cref="StopProcessAsync"/>, its own request, or the app's stop); not before a restart.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnBeforeProcessShutdown(Func<string, CancellationToken, Task> hook) => _processHooks.BeforeShutdown.Add(hook);

    /// <summary>Registers a synchronous hook that runs before a running child is stopped on purpose (by <see cref="StopProcessAsync"/>, its own request, or the app's stop); not before a restart.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnBeforeProcessShutdown(Action<string> hook) => _processHooks.BeforeShutdown.Add(hook);

    /// <summary>Registers a hook that runs before a child restarts: on request, in an app restart, or automatically at the end of its back-off.</summary>
    /// <param name="hook">The hook; it gets the child's name, and a token that fires when the app stops.</param>
    public void OnBeforeProcessRestart(Func<string, CancellationToken, Task> hook) => _processHooks.BeforeRestart.Add(hook);

    /// <summary>Registers a synchronous hook that runs before a child restarts: on request, in an app restart, or automatically at the end of its back-off.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnBeforeProcessRestart(Action<string> hook) => _processHooks.BeforeRestart.Add(hook);

    /// <summary>Registers a hook that runs after a restarted child became ready (after its after-process-start hooks).</summary>
    /// <param name="hook">The hook; it gets the child's name, and a token that fires when the app stops.</param>
    public void OnAfterProcessRestart(Func<string, CancellationToken, Task> hook) => _processHooks.AfterRestart.Add(hook);

    /// <summary>Registers a synchronous hook that runs after a restarted child became ready (after its after-process-start hooks).</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnAfterProcessRestart(Action<string> hook) => _processHooks.AfterRestart.Add(hook);

    /// <summary>Registers a hook that runs after a child went to <see cref="ProcessState.Failed"/>: it exceeded its restart intensity, or a start that was asked for failed.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnProcessFailed(Func<string, CancellationToken, Task> hook) => _processHooks.Failed.Add(hook);

    /// <summary>Registers a synchronous hook that runs after a child went to <see cref="ProcessState.Failed"/>: it exceeded its restart intensity, or a start that was asked for failed.</summary>
    /// <param name="hook">The hook; it gets the child's name.</param>
    public void OnProcessFailed(Action<string> hook) => _processHooks.Failed.Add(hook);
}
