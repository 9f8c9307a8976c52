using Firn.Channels;
using Firn.Serialization;
using Firn.Tracing;
using Microsoft.Extensions.Logging;
using Bcl = System.Threading.Channels;

namespace Firn.Storage;

/// <summary>A subscription whose handler takes <typeparamref name="T"/>.</summary>
internal sealed partial class Subscription<T> : Subscription
{
    private readonly Func<string, T, Task> _handler;
    private readonly Func<Publication, T> _decode;
    private readonly ILogger _logger;
    private readonly Action<Subscription> _unsubscribe;
    private readonly Bcl.Channel<Publication> _buffer;
    private readonly string _typeName = TypeNames.Of(typeof(T));
    private int _overflowLogged;
    private int _disposed;

    public Subscription(string topic, Func<string, T, Task> handler, SubscribeOptions options, IFirnSerializer serializer, ILogger logger, Action<Subscription> unsubscribe)
        : this(topic, handler, options, Decoder(MessageCodec<T>.For(serializer)), logger, unsubscribe)
    {
    }

    /// <summary>Creates a subscription that turns each publication into <typeparamref name="T"/> with <paramref name="decode"/>.</summary>
    public Subscription(string topic, Func<string, T, Task> handler, SubscribeOptions options, Func<Publication, T> decode, ILogger logger, Action<Subscription> unsubscribe)
        : base(topic)
    {
        _handler = handler;
        _decode = decode;
        _logger = logger;
        _unsubscribe = unsubscribe;
        _buffer = Bcl.Channel.CreateBounded<Publication>(
            new Bcl.BoundedChannelOptions(options.BufferSize)
            {
                SingleReader = true,
                FullMode = options.Overflow == SubscriptionOverflow.DropOldest ? Bcl.BoundedChannelFullMode.DropOldest : Bcl.BoundedChannelFullMode.DropWrite,
            },
            OnDropped);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when the handler loop has ended (after disposal).</summary>
    public Task Completion { get; }

    private static Func<Publication, T> Decoder(MessageCodec<T> codec) => publication => codec.Deserialize(publication.Payload);

    internal override void Enqueue(Publication publication) => _buffer.Writer.TryWrite(publication);

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _buffer.Writer.TryComplete();
            _unsubscribe(this);
        }
    }

    private void OnDropped(Publication publication)
    {
        CountDropped();
        if (Interlocked.Exchange(ref _overflowLogged, 1) == 0)
        {
            LogOverflow(Topic, publication.Topic);
        }
    }

    private async Task RunAsync()
    {
        await foreach (var received in _buffer.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            using var span = MessagingSpans.StartProcess(received.Topic, received.Payload);
            var publication = TraceEnvelope.IsPresent(received.Payload) ? received with { Payload = TraceEnvelope.Strip(received.Payload).ToArray() } : received;
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            if (typeof(T) != typeof(object) && !string.Equals(publication.TypeName, _typeName, StringComparison.Ordinal))
            {
                LogTypeMismatch(publication.Topic, publication.TypeName, _typeName);
                continue;
            }

#pragma warning disable CA1031 // A publication that does not read, or a failing handler, is logged; the subscription goes on.
            T data;
            try
            {
                data = _decode(publication);
            }
            catch (Exception ex)
            {
                LogUnreadable(ex, publication.Topic, publication.Payload.Length, publication.TypeName, _typeName);
                continue;
            }

            try
            {
                CountHandled();
                await _handler(publication.Topic, data).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(ex, publication.Topic);
            }
#pragma warning restore CA1031

            if (_buffer.Reader.Count == 0)
            {
                Volatile.Write(ref _overflowLogged, 0);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription to '{Subscription}' is full: its handler is slower than the publishers; dropping publications (first on '{Topic}')")]
    private partial void LogOverflow(string subscription, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A publication on '{Topic}' carries {Published}; this subscription takes {Expected}. It was skipped")]
    private partial void LogTypeMismatch(string topic, string published, string expected);

    [LoggerMessage(Level = LogLevel.Error, Message = "A publication on '{Topic}' ({Length} bytes, published as {Published}) could not be read as {Expected}; it was skipped")]
    private partial void LogUnreadable(Exception exception, string topic, int length, string published, string expected);

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber of '{Topic}' threw; later publications are handled as usual")]
    private partial void LogHandlerFailed(Exception exception, string topic);
}
