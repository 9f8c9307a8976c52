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

    /// <summary>How long a hook may go on after its token fired before the caller goes on without it.</summary>
    public static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs the hooks one after another, in registration order. Each gets a token that fires with
    /// <paramref name="cancellationToken"/> or, given a <paramref name="timeout"/>, once that has passed since the hook
    /// began; a hook still running <see cref="AbandonGrace"/> after its token fired, or when <paramref name="hardStop"/>
    /// fires, is abandoned (logged, left running) and the next one runs.
    /// </summary>
    /// <param name="logger">Where failures go.</param>
    /// <param name="processName">The child the event is about, or null for an app-wide event.</param>
    /// <param name="timeout">How long each hook may run before its token fires; null for no limit of its own.</param>
    /// <param name="cancellationToken">Handed to each hook (linked with its timeout).</param>
    /// <param name="hardStop">Ends every wait at once.</param>
    public async Task RunAsync(ILogger logger, string? processName, TimeSpan? timeout, CancellationToken cancellationToken, CancellationToken hardStop = default)
    {
        foreach (var hook in Snapshot())
        {
            using var hookToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout is { } limit)
            {
                hookToken.CancelAfter(limit);
            }

            // On the pool, so that a synchronous hook that blocks can be abandoned like an async one.
            var run = Task.Run(() => InvokeAsync(hook, logger, processName, hookToken.Token), CancellationToken.None);
            if (!await ReturnsInTimeAsync(run, hookToken.Token, hardStop).ConfigureAwait(false))
            {
                LogHookAbandoned(logger, _eventName, processName ?? "the app", AbandonGrace);
            }
        }
    }

    /// <summary>Starts every hook without waiting for it to finish; returns a task that completes when all have.</summary>
    public Task StartAll(ILogger logger, CancellationToken cancellationToken) =>
        Task.WhenAll(Snapshot().Select(hook => Task.Run(() => InvokeAsync(hook, logger, null, cancellationToken), CancellationToken.None)));

    /// <summary>Waits until the hook returns, or until <see cref="AbandonGrace"/> after its token fired, or until <paramref name="hardStop"/>.</summary>
    /// <returns>Whether the hook returned (<paramref name="run"/> never faults: <see cref="InvokeAsync"/> catches everything).</returns>
    private static async Task<bool> ReturnsInTimeAsync(Task run, CancellationToken hookToken, CancellationToken hardStop)
    {
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(hookToken, hardStop))
        {
            try
            {
                await run.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The hook may return at this very moment: it is judged by whether it completed, below.
            }
        }

        if (run.IsCompleted || hardStop.IsCancellationRequested)
        {
            return run.IsCompleted;
        }

        try
        {
            // Its token fired: a hook that honours it returns now.
            await run.WaitAsync(AbandonGrace, hardStop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        return run.IsCompleted;
    }

    private async Task InvokeAsync(Func<string?, CancellationToken, Task> hook, ILogger logger, string? processName, CancellationToken cancellationToken)
    {
        try
        {
            await hook(processName, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // One failing hook must not keep the others from running, nor end the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHookFailed(logger, ex, _eventName, processName ?? "the app");
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Event} hook (for {Target}) was still running {Grace} after its token fired; it was abandoned and the app went on without it")]
    private static partial void LogHookAbandoned(ILogger logger, string @event, string target, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Event} hook failed (for {Target})")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string @event, string target);
}
