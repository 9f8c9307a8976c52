using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>Hook lists of one lifespan event; a failing hook is logged and the others still run.</summary>
internal sealed partial class LifespanHooks
{
    private readonly List<Func<CancellationToken, Task>> _hooks = [];
    private readonly string _eventName;

    public LifespanHooks(string eventName) => _eventName = eventName;

    public void Add(Func<CancellationToken, Task> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        lock (_hooks)
        {
            _hooks.Add(hook);
        }
    }

    /// <summary>Runs the hooks one after another, in registration order.</summary>
    public async Task RunAsync(ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var hook in Snapshot())
        {
            try
            {
                await hook(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One failing hook must not keep the others from running.
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogHookFailed(logger, ex, _eventName);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Starts every hook without waiting for it to finish; returns a task that completes when all have.</summary>
    public Task StartAll(ILogger logger, CancellationToken cancellationToken)
    {
        var running = Snapshot().Select(hook => Task.Run(async () =>
        {
            try
            {
                await hook(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
#pragma warning disable CA1031 // A failing hook is logged; the app goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogHookFailed(logger, ex, _eventName);
            }
        }, CancellationToken.None));
        return Task.WhenAll(running);
    }

    private Func<CancellationToken, Task>[] Snapshot()
    {
        lock (_hooks)
        {
            return [.. _hooks];
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Event} hook failed")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string @event);
}
