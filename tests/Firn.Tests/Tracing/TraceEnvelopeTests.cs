using System.Buffers;
using System.Diagnostics;
using Firn.Rpc;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Tests.Tracing;

/// <summary>The trace context in front of a payload or an argument block (docs/PROTOCOL.md, "Trace context").</summary>
public sealed class TraceEnvelopeTests
{
    private static readonly ActivityTraceId TraceId = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c");
    private static readonly ActivitySpanId SpanId = ActivitySpanId.CreateFromString("b7ad6b7169203331");

    [Fact]
    public void An_envelope_round_trips_trace_id_span_id_flags_and_tracestate()
    {
        var envelope = Write("congo=t61rcWkgMzE");
        Assert.Equal(TraceEnvelope.FixedSize + "congo=t61rcWkgMzE".Length, envelope.Length);
        Assert.Equal(0xC1, envelope[0]);

        byte[] payload = [.. envelope, 0xA1, (byte)'x'];
        Assert.Equal(envelope.Length, TraceEnvelope.Read(payload, out var context));
        Assert.Equal(TraceId, context.TraceId);
        Assert.Equal(SpanId, context.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
        Assert.Equal("congo=t61rcWkgMzE", context.TraceState);
        Assert.True(context.IsRemote);
        Assert.Equal(new byte[] { 0xA1, (byte)'x' }, TraceEnvelope.Skip(payload).ToArray());
        Assert.Equal(new byte[] { 0xA1, (byte)'x' }, TraceEnvelope.Strip(payload).ToArray());
    }

    [Fact]
    public void A_payload_without_an_envelope_is_left_as_it_is()
    {
        byte[] payload = [0xA1, (byte)'x'];
        Assert.False(TraceEnvelope.IsPresent(payload));
        Assert.Equal(0, TraceEnvelope.Check(payload));
        Assert.Same(payload, MemoryMarshalArray(TraceEnvelope.Skip(payload)));
        Assert.Equal(default, TraceEnvelope.ContextOf(payload));
        Assert.False(TraceEnvelope.IsPresent([]));
    }

    [Theory]
    [InlineData("cut short")]
    [InlineData("zero trace id")]
    [InlineData("zero span id")]
    [InlineData("tracestate past the frame")]
    [InlineData("tracestate too long")]
    [InlineData("tracestate not printable")]
    public void A_malformed_envelope_is_a_protocol_violation_from_a_peer_that_agreed_on_trace_context(string what)
    {
        var envelope = Write("a=b");
        switch (what)
        {
            case "cut short":
                envelope = envelope[..20];
                break;
            case "zero trace id":
                Array.Clear(envelope, 2, 16);
                break;
            case "zero span id":
                Array.Clear(envelope, 18, 8);
                break;
            case "tracestate past the frame":
                envelope[26] = 200;
                break;
            case "tracestate too long":
                envelope = [.. envelope[..26], 0x01, 0x02, .. new byte[0x201]];
                break;
            case "tracestate not printable":
                envelope[^1] = 0x07;
                break;
        }

        var error = Assert.Throws<ProtocolViolationException>(() => TraceEnvelope.CheckIncoming(envelope, Capabilities.TraceContext));
        Assert.Contains("trace", error.Message, StringComparison.OrdinalIgnoreCase);

        // From a peer without the capability the bytes are its own payload; a receiver reads them as they are.
        TraceEnvelope.CheckIncoming(envelope, Capabilities.None);
        Assert.Equal(0, TraceEnvelope.LengthOf(envelope));
        Assert.Equal(default, TraceEnvelope.ContextOf(envelope));
    }

    [Fact]
    public void A_call_with_the_trace_flag_needs_the_capability_and_a_well_formed_context()
    {
        byte[] args = [.. Write(null), 0, 0];
        Assert.Equal(TraceEnvelope.FixedSize, RpcTracing.CheckIncoming(RpcFlags.TraceContext, args, Capabilities.TraceContext));
        Assert.Equal(0, RpcTracing.CheckIncoming(RpcFlags.None, [0, 0], Capabilities.None));
        Assert.Throws<ProtocolViolationException>(() => RpcTracing.CheckIncoming(RpcFlags.TraceContext, args, Capabilities.None));
        Assert.Throws<ProtocolViolationException>(() => RpcTracing.CheckIncoming(RpcFlags.TraceContext, [0, 0], Capabilities.TraceContext));

        // Relayed to a handler without the capability: the flag and the context are dropped.
        var flags = RpcFlags.Stream | RpcFlags.TraceContext;
        Assert.Equal(new byte[] { 0, 0 }, RpcTracing.StripFor(ref flags, args, Capabilities.None).ToArray());
        Assert.Equal(RpcFlags.Stream, flags);
        flags = RpcFlags.TraceContext;
        Assert.Equal(args.Length, RpcTracing.StripFor(ref flags, args, Capabilities.TraceContext).Length);

        ReadOnlySpan<byte> rest = args;
        Assert.Equal(TraceId, RpcTracing.Read(RpcFlags.TraceContext, ref rest).TraceId);
        Assert.Equal(2, rest.Length);
    }

    private static byte[] Write(string? traceState)
    {
        using var activity = new Activity("test");
        activity.SetParentId(TraceId, SpanId, ActivityTraceFlags.Recorded);
        activity.TraceStateString = traceState;
        activity.Start();
        var buffer = new ArrayBufferWriter<byte>();
        TraceEnvelope.Write(buffer, activity);
        var bytes = buffer.WrittenSpan.ToArray();

        // The envelope carries the activity's own span id (the parent's for its children); write the test's instead.
        SpanId.CopyTo(bytes.AsSpan(18, 8));
        return bytes;
    }

    private static byte[]? MemoryMarshalArray(ReadOnlyMemory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array : null;
}
