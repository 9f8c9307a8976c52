using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// The hooks of one lifespan event, in registration order. App-wide hooks ignore the process name that per-child
/// hooks receive. A failing hook is logged and the others still run.
/// </summary>
internal sealed partial class LifespanHooks
{
    private readonly List<Func<string?, CancellationToken, Task>> _hooks = [];
    private readonly string _eventName;

    public LifespanHooks(string eventName) => _eventName = eventName;

    public void Add(Func<CancellationToken, Task> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        AddCore((_, cancellationToken) => hook(cancellationToken));
    }

    public void Add(Action hook)
    {
        RejectAsyncVoid(hook);
        AddCore((_, _) =>
        {
            hook();
            return Task.CompletedTask;
        });
    }

    public void Add(Func<string, CancellationToken, Task> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        AddCore((name, cancellationToken) => hook(name!, cancellationToken));
    }

    public void Add(Action<string> hook)
    {
        RejectAsyncVoid(hook);
        AddCore((name, _) =>
        {
            hook(name!);
            return Task.CompletedTask;
        });
    }

    /// <summary>Runs the hooks one after another, in registration order.</summary>
    /// <param name="logger">Where failures go.</param>
    /// <param name="processName">The child the event is about, or null for an app-wide event.</param>
    /// <param name="cancellationToken">Handed to each hook.</param>
    public async Task RunAsync(ILogger logger, string? processName, CancellationToken cancellationToken)
    {
        foreach (var hook in Snapshot())
        {
            try
            {
                await hook(processName, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
#pragma warning disable CA1031 // One failing hook must not keep the others from running.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogHookFailed(logger, ex, _eventName, processName ?? "the app");
            }
        }
    }

    /// <summary>Starts every hook without waiting for it to finish; returns a task that completes when all have.</summary>
    public Task StartAll(ILogger logger, CancellationToken cancellationToken)
    {
        var running = Snapshot().Select(hook => Task.Run(
            async () =>
            {
                try
                {
                    await hook(null, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
#pragma warning disable CA1031 // A failing hook is logged; the app goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogHookFailed(logger, ex, _eventName, "the app");
                }
            },
            CancellationToken.None));
        return Task.WhenAll(running);
    }

    /// <summary>An async lambda given to a synchronous overload would run as <c>async void</c>: nobody could await it or see it fail.</summary>
    private static void RejectAsyncVoid(Delegate hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (hook.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
        {
            throw new ArgumentException(
                "This async hook would run as 'async void' through the synchronous overload. Take the CancellationToken parameter " +
                "(async stopping => ... or async (name, stopping) => ...) so that it binds to the overload that awaits it.",
                nameof(hook));
        }
    }

    private void AddCore(Func<string?, CancellationToken, Task> hook)
    {
        lock (_hooks)
        {
            _hooks.Add(hook);
        }
    }

    private Func<string?, CancellationToken, Task>[] Snapshot()
    {
        lock (_hooks)
        {
            return [.. _hooks];
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Event} hook failed (for {Target})")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string @event, string target);
}
