using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Firn.Transport;

namespace Firn.Tracing;

/// <summary>
/// W3C trace context in front of a message payload, a publication payload or a call's argument block, on connections
/// that agreed on the "trace-context" capability (docs/PROTOCOL.md, "Trace context"): the byte 0xC1 (which MessagePack
/// never uses), the trace flags, the 16-byte trace id, the 8-byte span id, then the tracestate as a string (2-byte
/// length, printable ASCII, at most <see cref="MaxTraceStateLength"/> bytes). A payload without it starts with
/// anything else and costs nothing more.
/// </summary>
internal static class TraceEnvelope
{
    /// <summary>The first byte of an envelope.</summary>
    public const byte Marker = 0xC1;

    /// <summary>The longest tracestate carried; a longer one is left behind (the trace id and parent still travel).</summary>
    public const int MaxTraceStateLength = 512;

    /// <summary>Marker, flags, trace id, span id, tracestate length.</summary>
    public const int FixedSize = 1 + 1 + 16 + 8 + 2;

    /// <summary>Whether <paramref name="payload"/> starts with an envelope.</summary>
    public static bool IsPresent(ReadOnlySpan<byte> payload) => !payload.IsEmpty && payload[0] == Marker;

    /// <summary>Writes the envelope of <paramref name="activity"/>'s context; returns its length.</summary>
    public static int Write(IBufferWriter<byte> writer, Activity activity)
    {
        var state = activity.TraceStateString;
        if (state is null || state.Length > MaxTraceStateLength || !IsPrintableAscii(state))
        {
            state = string.Empty;
        }

        var length = FixedSize + state.Length;
        var span = writer.GetSpan(length);
        span[0] = Marker;
        span[1] = (byte)(activity.ActivityTraceFlags & ActivityTraceFlags.Recorded);
        activity.TraceId.CopyTo(span[2..18]);
        activity.SpanId.CopyTo(span[18..26]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], (ushort)state.Length);
        Encoding.ASCII.GetBytes(state, span[FixedSize..]);
        writer.Advance(length);
        return length;
    }

    /// <summary>Reads the envelope that starts <paramref name="payload"/> (see <see cref="IsPresent"/>); returns its length.</summary>
    /// <exception cref="ProtocolViolationException">It is cut short, has a zero trace or span id, or its tracestate is not printable ASCII.</exception>
    public static int Read(ReadOnlySpan<byte> payload, out ActivityContext context)
    {
        if (payload.Length < FixedSize || payload[0] != Marker)
        {
            throw new ProtocolViolationException($"a trace context of {payload.Length} bytes; it needs at least {FixedSize}, starting with 0xC1");
        }

        var traceId = payload[2..18];
        var spanId = payload[18..26];
        if (!traceId.ContainsAnyExcept((byte)0) || !spanId.ContainsAnyExcept((byte)0))
        {
            throw new ProtocolViolationException("a trace context with an all-zero trace id or span id");
        }

        int stateLength = BinaryPrimitives.ReadUInt16LittleEndian(payload[26..]);
        if (stateLength > MaxTraceStateLength || payload.Length - FixedSize < stateLength)
        {
            throw new ProtocolViolationException($"a tracestate of {stateLength} bytes: at most {MaxTraceStateLength}, and within the frame");
        }

        var stateBytes = payload.Slice(FixedSize, stateLength);
        foreach (var b in stateBytes)
        {
            if (b is < 0x20 or > 0x7E)
            {
                throw new ProtocolViolationException("a tracestate with a byte that is not printable ASCII");
            }
        }

        context = new ActivityContext(
            ActivityTraceId.CreateFromBytes(traceId),
            ActivitySpanId.CreateFromBytes(spanId),
            (ActivityTraceFlags)(payload[1] & (byte)ActivityTraceFlags.Recorded),
            stateLength == 0 ? null : Encoding.ASCII.GetString(stateBytes),
            isRemote: true);
        return FixedSize + stateLength;
    }

    /// <summary>The length of the envelope that starts <paramref name="payload"/>, checked, or 0 if there is none.</summary>
    /// <exception cref="ProtocolViolationException">The envelope is malformed.</exception>
    public static int Check(ReadOnlySpan<byte> payload) => IsPresent(payload) ? Read(payload, out _) : 0;

    /// <summary>
    /// Checks the envelope of a payload read from a peer on a connection with <paramref name="capabilities"/>; on one
    /// without "trace-context" the payload is the peer's own bytes, whatever its first byte.
    /// </summary>
    /// <exception cref="ProtocolViolationException">The envelope is malformed.</exception>
    public static void CheckIncoming(ReadOnlySpan<byte> payload, Capabilities capabilities)
    {
        if (IsPresent(payload) && (capabilities & Capabilities.TraceContext) != 0)
        {
            Read(payload, out _);
        }
    }

    /// <summary>The payload without its envelope: for a peer on a connection without "trace-context", or for the serializer.</summary>
    public static ReadOnlySpan<byte> Strip(ReadOnlyMemory<byte> payload) => payload.Span[LengthOf(payload.Span)..];

    /// <summary>The payload after its envelope, if it has one.</summary>
    public static ReadOnlyMemory<byte> Skip(ReadOnlyMemory<byte> payload) => IsPresent(payload.Span) ? payload[LengthOf(payload.Span)..] : payload;

    /// <summary>
    /// The length of the envelope that starts <paramref name="payload"/>, or 0 if it has none or a malformed one (then
    /// the bytes are a payload that happens to start with 0xC1, from a peer without "trace-context").
    /// </summary>
    public static int LengthOf(ReadOnlySpan<byte> payload)
    {
        if (!IsPresent(payload))
        {
            return 0;
        }

        try
        {
            return Read(payload, out _);
        }
        catch (ProtocolViolationException)
        {
            return 0;
        }
    }

    /// <summary>The context an envelope carries, or <see langword="default"/> if <paramref name="payload"/> has none or a malformed one.</summary>
    public static ActivityContext ContextOf(ReadOnlySpan<byte> payload)
    {
        if (!IsPresent(payload))
        {
            return default;
        }

        try
        {
            Read(payload, out var context);
            return context;
        }
        catch (ProtocolViolationException)
        {
            return default;
        }
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
