using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Firn.Tracing;

/// <summary>
/// The producer and consumer spans of channels and pub/sub, after the OpenTelemetry messaging conventions. Each entry
/// point checks <see cref="ActivitySource.HasListeners"/> first and does nothing more without a listener.
/// </summary>
internal static class MessagingSpans
{
    /// <summary>
    /// Starts a producer span for a message about to be serialized into <paramref name="buffer"/>, and writes its trace
    /// context there first when the connection carries it (<paramref name="carry"/>). Returns the span (the caller
    /// stops it once the message is handed over), or <see langword="null"/> without a listener.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Activity? StartSend(string operation, string destination, IBufferWriter<byte> buffer, bool carry) =>
        FirnActivitySource.Source.HasListeners() ? StartSendCore(operation, destination, buffer, carry) : null;

    /// <summary>
    /// Starts the consumer span of a message handed to a handler: a child of the producer's span when the message
    /// carries its context (one message, one handler: the trace goes on), and linked to it. <see langword="null"/> without a listener.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Activity? StartProcess(string destination, ReadOnlyMemory<byte> payload) =>
        FirnActivitySource.Source.HasListeners() ? StartConsumer("process", destination, payload, parented: true) : null;

    /// <summary>
    /// Records a message taken with a receive call: a short consumer span under whatever span is current, linked to the
    /// producer's span when the message carries its context.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Received(string destination, ReadOnlyMemory<byte> payload)
    {
        if (FirnActivitySource.Source.HasListeners())
        {
            StartConsumer("receive", destination, payload, parented: false)?.Stop();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Activity? StartSendCore(string operation, string destination, IBufferWriter<byte> buffer, bool carry)
    {
        var activity = FirnActivitySource.Source.StartActivity($"{operation} {destination}", ActivityKind.Producer);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("messaging.system", FirnActivitySource.System);
            activity.SetTag("messaging.destination.name", destination);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", operation);
        }

        if (carry)
        {
            TraceEnvelope.Write(buffer, activity);
        }

        return activity;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Activity? StartConsumer(string operation, string destination, ReadOnlyMemory<byte> payload, bool parented)
    {
        var producer = TraceEnvelope.ContextOf(payload.Span);
        var traced = producer != default;
        var activity = FirnActivitySource.Source.StartActivity(
            $"{operation} {destination}",
            ActivityKind.Consumer,
            parented && traced ? producer : default,
            tags: null,
            links: traced ? [new ActivityLink(producer)] : null);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", FirnActivitySource.System);
            activity.SetTag("messaging.destination.name", destination);
            activity.SetTag("messaging.operation.type", operation);
            activity.SetTag("messaging.operation.name", operation);
            // The message as serialized: the trace context in front of it is not part of its body.
            activity.SetTag("messaging.message.body.size", payload.Length - TraceEnvelope.LengthOf(payload.Span));
        }

        return activity;
    }
}
