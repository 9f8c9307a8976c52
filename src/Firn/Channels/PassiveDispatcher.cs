using Firn.Tracing;
using Microsoft.Extensions.Logging;

namespace Firn.Channels;

/// <summary>
/// Runs a channel's passive handlers: one loop (or <see cref="ChannelOptions.MaxConcurrentHandlers"/> loops)
/// takes each delivered message, runs every handler whose filter accepts it, then acknowledges it.
/// </summary>
internal sealed partial class PassiveDispatcher<T>
{
    /// <summary>How long a handler thread waits for the next message before it retires.</summary>
    private static readonly TimeSpan PumpIdleTimeout = TimeSpan.FromSeconds(2);

    private readonly ChannelEndpoint _endpoint;
    private readonly Channel<T> _channel;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Registration[] _registrations = [];
    private TaskCompletionSource _hasRegistrations = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;

    public PassiveDispatcher(ChannelEndpoint endpoint, Channel<T> channel, ILogger logger)
    {
        _endpoint = endpoint;
        _channel = channel;
        _logger = logger;
    }

    /// <summary>Adds a handler; <paramref name="syncHandler"/> (with <paramref name="syncFilter"/>, if any) is the same handler in synchronous form, when it has one.</summary>
    public IDisposable Add(Func<T, ValueTask> handler, Func<T, ValueTask<bool>>? filter, Action<T>? syncHandler = null, Func<T, bool>? syncFilter = null)
    {
        _endpoint.EnsureMode(ReceiveMode.Passive);
        var registration = new Registration(this, handler, filter, syncHandler, syncFilter);
        lock (_lock)
        {
            _registrations = [.. _registrations, registration];
            _hasRegistrations.TrySetResult();
            if (!_started)
            {
                _started = true;
                for (var i = 0; i < _endpoint.Options.MaxConcurrentHandlers; i++)
                {
                    _endpoint.AddConsumerLoop(Task.Run(RunAsync));
                }
            }
        }

        return registration;
    }

    private void Remove(Registration registration)
    {
        lock (_lock)
        {
            _registrations = Array.FindAll(_registrations, r => !ReferenceEquals(r, registration));
            if (_registrations.Length == 0)
            {
                _hasRegistrations = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>
    /// Takes messages one at a time while handlers are registered. With no handler left, messages stay in
    /// the buffer (unacknowledged) instead of being consumed unseen. Ends when the channel closes or the
    /// process starts shutting down, after the message in hand.
    /// </summary>
    private async Task RunAsync()
    {
        var inbound = _endpoint.Inbound;
        var draining = _endpoint.DrainToken;
        try
        {
            while (!draining.IsCancellationRequested)
            {
                Task hasRegistrations;
                lock (_lock)
                {
                    hasRegistrations = _hasRegistrations.Task;
                }

                if (!hasRegistrations.IsCompleted)
                {
                    _endpoint.FlushAcks();
                    await hasRegistrations.WaitAsync(draining).ConfigureAwait(false);
                    continue;
                }

                if (inbound.TryRead(out var payload))
                {
                    var registrations = Volatile.Read(ref _registrations);
                    if (AllSynchronous(registrations))
                    {
                        // Synchronous handlers: a stream of messages is handled on a thread of its own (see PumpOnThreadAsync).
                        await PumpOnThreadAsync(payload, registrations).ConfigureAwait(false);
                        continue;
                    }

                    await HandleAsync(payload).ConfigureAwait(false);
                    _endpoint.Consumed();
                    continue;
                }

                _endpoint.FlushAcks();
                if (!await inbound.WaitToReadAsync(draining).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (draining.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Handles a stream of messages with synchronous handlers on a dedicated thread, which, when the buffer is empty,
    /// polls briefly and then sleeps (see <see cref="Inbox.WaitToRead(TimeSpan)"/>) and is woken once per batch of deliveries; it
    /// retires after <see cref="PumpIdleTimeout"/> without a message, or when the handlers change, and this loop goes back
    /// to waiting without a thread. The pool's threads would cost a hand-off per batch and spin longer between batches,
    /// which on a small machine takes the processor from the threads that read and send.
    /// </summary>
    private Task PumpOnThreadAsync(ReadOnlyMemory<byte> first, Registration[] registrations)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                Pump(first, registrations);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "Firn handlers",
        }.Start();
        return done.Task;
    }

    private void Pump(ReadOnlyMemory<byte> payload, Registration[] registrations)
    {
        var inbound = _endpoint.Inbound;
        var draining = _endpoint.DrainToken;
        while (true)
        {
            Handle(payload, registrations);
            _endpoint.Consumed();
            while (true)
            {
                if (draining.IsCancellationRequested || !ReferenceEquals(registrations, Volatile.Read(ref _registrations)))
                {
                    return;
                }

                if (inbound.TryRead(out payload))
                {
                    break;
                }

                _endpoint.FlushAcks();
                if (!inbound.WaitToRead(PumpIdleTimeout) || inbound.IsFinished)
                {
                    return;
                }
            }
        }
    }

    private static bool AllSynchronous(Registration[] registrations)
    {
        foreach (var registration in registrations)
        {
            if (registration.SyncHandler is null || (registration.Filter is not null && registration.SyncFilter is null))
            {
                return false;
            }
        }

        return registrations.Length > 0;
    }

    /// <summary>The synchronous form of <see cref="HandleAsync"/>, for handlers and filters that all have one.</summary>
    private void Handle(ReadOnlyMemory<byte> payload, Registration[] registrations)
    {
        using var span = MessagingSpans.StartProcess(_endpoint.Name, payload);
        if (!TryRead(payload, out var message))
        {
            return;
        }

        var start = _endpoint.Metrics.StartProcessing();

        foreach (var registration in registrations)
        {
            try
            {
                if (registration.SyncFilter is null || registration.SyncFilter(message))
                {
                    registration.SyncHandler!(message);
                }
            }
#pragma warning disable CA1031 // A handler's exception is logged; the loop must go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogHandlerFailed(ex, _endpoint.Name);
            }
        }

        _endpoint.Metrics.Processed(start, _endpoint.Name);
    }

    private bool TryRead(ReadOnlyMemory<byte> payload, out T message)
    {
        try
        {
            message = _channel.ReadDelivered(payload);
            return true;
        }
#pragma warning disable CA1031 // A message that cannot be read is logged and skipped; the loop must go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnreadable(ex, _endpoint.Name, typeof(T).Name, payload.Length);
            message = default!;
            return false;
        }
    }

    private async ValueTask HandleAsync(ReadOnlyMemory<byte> payload)
    {
        using var span = MessagingSpans.StartProcess(_endpoint.Name, payload);
        if (!TryRead(payload, out var message))
        {
            return;
        }

        var start = _endpoint.Metrics.StartProcessing();

#pragma warning disable CA1031 // A handler's exception is logged; the loop must go on.
        foreach (var registration in Volatile.Read(ref _registrations))
        {
            try
            {
                if (registration.Filter is null || await registration.Filter(message).ConfigureAwait(false))
                {
                    await registration.Handler(message).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                LogHandlerFailed(ex, _endpoint.Name);
            }
        }
#pragma warning restore CA1031

        _endpoint.Metrics.Processed(start, _endpoint.Name);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A receive handler on channel '{Channel}' threw; the next message is handled as usual")]
    private partial void LogHandlerFailed(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message on channel '{Channel}' ({Length} bytes) could not be read as {Type}; it was skipped")]
    private partial void LogUnreadable(Exception exception, string channel, string type, int length);

    private sealed class Registration(
        PassiveDispatcher<T> owner, Func<T, ValueTask> handler, Func<T, ValueTask<bool>>? filter, Action<T>? syncHandler, Func<T, bool>? syncFilter) : IDisposable
    {
        public Func<T, ValueTask> Handler { get; } = handler;

        public Func<T, ValueTask<bool>>? Filter { get; } = filter;

        public Action<T>? SyncHandler { get; } = syncHandler;

        public Func<T, bool>? SyncFilter { get; } = syncFilter;

        public void Dispose() => owner.Remove(this);
    }
}
