namespace Firn.Hosting;

/// <summary>The lifespan hooks about one child; each receives the child's name.</summary>
internal sealed class ProcessHooks
{
    /// <summary>After an instance became ready (first start and every restart).</summary>
    public LifespanHooks AfterStart { get; } = new("after-process-start");

    /// <summary>Before a running child is stopped on purpose (not for a restart).</summary>
    public LifespanHooks BeforeShutdown { get; } = new("before-process-shutdown");

    /// <summary>Before a child is restarted: on request, or automatically after its back-off.</summary>
    public LifespanHooks BeforeRestart { get; } = new("before-process-restart");

    /// <summary>After a restarted child became ready.</summary>
    public LifespanHooks AfterRestart { get; } = new("after-process-restart");

    /// <summary>After a child went to <see cref="ProcessState.Failed"/>.</summary>
    public LifespanHooks Failed { get; } = new("process-failed");
}
