using System.Buffers;
using System.Runtime.CompilerServices;
using Firn.Channels;
using Firn.Failures;
using Firn.Serialization;
using Firn.Tracing;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>
/// A named channel that carries messages of type <typeparamref name="T"/> between the processes of a Firn app.
/// </summary>
/// <remarks>
/// Any process may send. A process never receives its own messages, and each message goes to exactly one
/// other receiving process (several receivers share the work). Messages from one sender arrive in the
/// order sent. A process receives in one mode: passive (<see cref="OnReceive(Action{T}, Func{T, bool}?)"/>)
/// or active (<see cref="Receive()"/> and friends). Obtain channels from <see cref="FirnApp.GetChannel{T}(string, ChannelOptions?)"/>.
/// </remarks>
/// <typeparam name="T">The message type, fixed for the channel's name by its first use.</typeparam>
public sealed partial class Channel<T>
{
    private readonly ChannelEndpoint _endpoint;
    private readonly MessageCodec<T> _codec;
    private readonly MessageSizeLimit _maxMessageSize;
    private readonly PassiveDispatcher<T> _passive;

    internal Channel(ChannelEndpoint endpoint, IFirnSerializer serializer, MessageSizeLimit maxMessageSize, ILogger logger)
    {
        _endpoint = endpoint;
        _codec = MessageCodec<T>.For(serializer);
        _maxMessageSize = maxMessageSize;
        _passive = new PassiveDispatcher<T>(endpoint, this, logger);
    }

    /// <summary>The channel's name, the same in every process.</summary>
    public string Name => _endpoint.Name;

    /// <summary>Whether the channel was closed (by any process).</summary>
    public bool IsClosed => _endpoint.IsClosed;

    /// <summary>The receive mode this process uses on the channel, fixed by its first receive call.</summary>
    public ReceiveMode Mode => _endpoint.Mode;

    /// <summary>Messages delivered to this process and not yet consumed (at most <see cref="ChannelOptions.ReceiveBufferSize"/>).</summary>
    public int BufferedCount => _endpoint.BufferedCount;

    internal ChannelEndpoint Endpoint => _endpoint;

    /// <summary>Sends a message, waiting while this process's buffer on the channel is full (or failing, with <see cref="ChannelFullMode.Fail"/>).</summary>
    /// <remarks>
    /// In a child, the message is queued and written to the main process in batches. It counts as sent once this returns:
    /// every exit that runs managed code (the entry returning or throwing, a stop or SIGTERM, <see cref="Environment.Exit(int)"/>,
    /// an unhandled exception) first waits, at most 2 s, until the main process has it. Only SIGKILL, a native crash or
    /// <see cref="Environment.FailFast(string)"/> can lose it; <c>await app.FlushAsync()</c> first where those must not.
    /// </remarks>
    /// <param name="message">The message.</param>
    /// <exception cref="MessageTooLargeException">The serialized message exceeds the size limit; nothing was sent.</exception>
    /// <exception cref="ChannelClosedException">The channel is closed.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    /// <exception cref="ChannelFullException">The buffer is full and the channel's full mode is <see cref="ChannelFullMode.Fail"/>.</exception>
    public void Send(T message) => Send(message, CancellationToken.None);

    /// <summary>Sends a message, waiting for buffer space until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the wait for buffer space; the message is then not sent.</param>
    public void Send(T message, CancellationToken cancellationToken)
    {
        var payload = SerializeChecked(message);
        _endpoint.TakeCredit(payload.WrittenCount, cancellationToken);
        _endpoint.Send(payload.WrittenSpan);
    }

    /// <summary>Sends a message if the buffer has room now.</summary>
    /// <remarks>
    /// In a child, the message is queued and written to the main process in batches. It counts as sent once this returns:
    /// every exit that runs managed code (the entry returning or throwing, a stop or SIGTERM, <see cref="Environment.Exit(int)"/>,
    /// an unhandled exception) first waits, at most 2 s, until the main process has it. Only SIGKILL, a native crash or
    /// <see cref="Environment.FailFast(string)"/> can lose it; <c>await app.FlushAsync()</c> first where those must not.
    /// </remarks>

    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> if sent; <see langword="false"/> if the buffer is full.</returns>
    public bool TrySend(T message)
    {
        var payload = SerializeChecked(message);
        if (!_endpoint.TryTakeCredit(payload.WrittenCount))
        {
            return false;
        }

        _endpoint.Send(payload.WrittenSpan);
        return true;
    }

    /// <summary>Sends a message, awaiting buffer space asynchronously.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the wait for buffer space; the message is then not sent.</param>
    /// <returns>
    /// Completes once the message is queued for the main process (in a child) or held by the router (in the main process);
    /// see <see cref="Send(T)"/> for when it counts as sent.
    /// </returns>
    public ValueTask SendAsync(T message, CancellationToken cancellationToken = default)
    {
        var payload = SerializeChecked(message);
        if (_endpoint.TryTakeCredit(payload.WrittenCount))
        {
            _endpoint.Send(payload.WrittenSpan);
            return ValueTask.CompletedTask;
        }

        // The thread-local buffer cannot outlive an await: keep a copy while waiting.
        return SendSlowAsync(payload.WrittenSpan.ToArray(), cancellationToken);
    }

    /// <summary>Closes the channel for every process: sends fail from now on, and receivers end after draining what was delivered.</summary>
    public void Close()
    {
        if (!_endpoint.IsClosed)
        {
            _endpoint.Close();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Channel<{typeof(T).Name}> '{Name}'";

    /// <summary>Reads a delivered payload, then lets go of it (a large one's array may be reused for the next message).</summary>
    internal T ReadDelivered(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return _codec.Deserialize(TraceEnvelope.Skip(payload));
        }
        finally
        {
            // A value that may refer to these bytes keeps them: they are never let go (a large payload's array is then
            // left to the collector).
            if (!_codec.MayKeepInput)
            {
                ReceivedBody.Release(payload);
            }
        }
    }

    private async ValueTask SendSlowAsync(byte[] payload, CancellationToken cancellationToken)
    {
        await _endpoint.TakeCreditAsync(payload.Length, cancellationToken).ConfigureAwait(false);
        _endpoint.Send(payload);
    }

    private SerializationBuffer SerializeChecked(T message)
    {
        _endpoint.ThrowIfClosed();
        var buffer = SerializationBuffer.Rent();
        using var span = MessagingSpans.StartSend("send", Name, buffer, _endpoint.CarriesTraceContext);
        var envelope = buffer.WrittenCount;
        _codec.Serialize(buffer, message);
        if (buffer.WrittenCount - envelope > _maxMessageSize.Bytes)
        {
            throw FirnErrors.MessageTooLarge(buffer.WrittenCount - envelope, _maxMessageSize.Bytes, $"A message on channel '{Name}'", "Nothing was sent.");
        }

        return buffer;
    }
}
