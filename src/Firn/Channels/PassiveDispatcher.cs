using Microsoft.Extensions.Logging;

namespace Firn.Channels;

/// <summary>
/// Runs a channel's passive handlers: one loop (or <see cref="ChannelOptions.MaxConcurrentHandlers"/> loops)
/// takes each delivered message, runs every handler whose filter accepts it, then acknowledges it.
/// </summary>
internal sealed partial class PassiveDispatcher<T>
{
    private readonly ChannelEndpoint _endpoint;
    private readonly Channel<T> _channel;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Registration[] _registrations = [];
    private bool _started;

    public PassiveDispatcher(ChannelEndpoint endpoint, Channel<T> channel, ILogger logger)
    {
        _endpoint = endpoint;
        _channel = channel;
        _logger = logger;
    }

    public IDisposable Add(Func<T, ValueTask> handler, Func<T, ValueTask<bool>>? filter)
    {
        _endpoint.EnsureMode(ReceiveMode.Passive);
        var registration = new Registration(this, handler, filter);
        lock (_lock)
        {
            _registrations = [.. _registrations, registration];
            if (!_started)
            {
                _started = true;
                for (var i = 0; i < _endpoint.Options.MaxConcurrentHandlers; i++)
                {
                    _ = Task.Run(RunAsync);
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
        }
    }

    private async Task RunAsync()
    {
        var inbound = _endpoint.Inbound;
        while (true)
        {
            while (inbound.TryRead(out var payload))
            {
                await HandleAsync(payload).ConfigureAwait(false);
                _endpoint.Consumed();
            }

            _endpoint.FlushAcks();
            if (!await inbound.WaitToReadAsync().ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async ValueTask HandleAsync(byte[] payload)
    {
        T message;
        try
        {
            message = _channel.Deserialize(payload);
        }
#pragma warning disable CA1031 // A message that cannot be read is logged and skipped; the loop must go on.
        catch (Exception ex)
        {
            LogUnreadable(ex, _endpoint.Name, typeof(T).Name, payload.Length);
            return;
        }

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
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A receive handler on channel '{Channel}' threw; the next message is handled as usual")]
    private partial void LogHandlerFailed(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message on channel '{Channel}' ({Length} bytes) could not be read as {Type}; it was skipped")]
    private partial void LogUnreadable(Exception exception, string channel, string type, int length);

    private sealed class Registration(PassiveDispatcher<T> owner, Func<T, ValueTask> handler, Func<T, ValueTask<bool>>? filter) : IDisposable
    {
        public Func<T, ValueTask> Handler { get; } = handler;

        public Func<T, ValueTask<bool>>? Filter { get; } = filter;

        public void Dispose() => owner.Remove(this);
    }
}
