using System.Collections.Concurrent;
using System.Diagnostics;
using Firn.Tests.Support;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Tests.Tracing;

/// <summary>
/// Traces across real processes: the test process is the main process with an <see cref="ActivityListener"/>, and a
/// Firn.TestChild child records its own spans (FIRN_TEST_TRACE=1) and reports them as lines
/// (name|kind|trace id|span id|parent span id|linked span ids).
/// </summary>
public sealed class TraceAcrossProcessesTests
{
    private static readonly Dictionary<string, string> Traced = new() { ["FIRN_TEST_TRACE"] = "1" };

    [Fact]
    public async Task One_trace_spans_main_then_child_then_main_with_parents_and_links()
    {
        using var testSource = new ActivitySource("Firn.Tests.Tracing");
        var traceId = default(ActivityTraceId);
        var spans = new ConcurrentQueue<Activity>();

        // Only this test's trace is sampled, so tests running meanwhile create no spans and send no trace context.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is FirnActivitySource.Name or "Firn.Tests.Tracing",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Source.Name == "Firn.Tests.Tracing" || (traceId != default && options.Parent.TraceId == traceId)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == FirnActivitySource.Name)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var root = testSource.StartActivity("test")!;
        traceId = root.TraceId;
        var log = new TestLog();
        var main = TestApps.Create(log);
        main.AddProcess("tracer", TestApps.Child(Traced, "trace-relay"));
        await using var app = await TestApps.StartAsync(main);

        // The child's process span is a child of the span current when it was spawned (TRACEPARENT).
        var processSpan = Line((await app.NextReportAsync("tracer"))["process-span|".Length..]);
        Assert.Equal(("child tracer", "Internal", root.TraceId.ToString(), root.SpanId.ToString()), (processSpan.Name, processSpan.Kind, processSpan.TraceId, processSpan.ParentId));
        Assert.Equal("ready", await app.NextReportAsync("tracer"));

        using var echo = app.Rpc.Register("main.echo", (string text) => "echo:" + text);
        var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var replies = app.GetChannel<string>("trace-out").OnReceive(text => reply.TrySetResult(text));
        app.GetChannel<string>("trace-in").Send("hello");
        Assert.Equal("reply:hello", await reply.Task.WaitAsync(TestApps.Timeout));

        // Main: "send trace-in" under the test's span. Child: "process trace-in" under it and linked to it; under that,
        // "send trace-out" and the client span of "main.echo". Main again: "process trace-out" and the server span of
        // "main.echo" under the child's spans.
        var child = (await app.NextReportAsync("tracer")).Split('\n').Select(Line).ToList();
        await TestApps.UntilAsync(() => spans.Any(s => s.OperationName == "main.echo") && spans.Any(s => s.OperationName == "process trace-out"), "the main process's spans of the child's reply and call ended");
        var send = Single(spans, "send trace-in");
        var process = Assert.Single(child, s => s.Name == "process trace-in");
        var childSend = Assert.Single(child, s => s.Name == "send trace-out");
        var client = Assert.Single(child, s => s.Name == "main.echo");
        var mainProcess = Single(spans, "process trace-out");
        var server = Single(spans, "main.echo");

        Assert.All([send.TraceId, mainProcess.TraceId, server.TraceId], id => Assert.Equal(root.TraceId, id));
        Assert.All([process.TraceId, childSend.TraceId, client.TraceId], id => Assert.Equal(root.TraceId.ToString(), id));

        Assert.Equal((ActivityKind.Producer, root.SpanId), (send.Kind, send.ParentSpanId));
        Assert.Equal("firn", send.GetTagItem("messaging.system"));
        Assert.Equal("trace-in", send.GetTagItem("messaging.destination.name"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));

        Assert.Equal(("Consumer", send.SpanId.ToString(), send.SpanId.ToString()), (process.Kind, process.ParentId, process.Links));
        Assert.Equal(("Producer", process.SpanId), (childSend.Kind, childSend.ParentId));
        Assert.Equal(("Client", process.SpanId), (client.Kind, client.ParentId));

        Assert.Equal((ActivityKind.Consumer, childSend.SpanId), (mainProcess.Kind, mainProcess.ParentSpanId.ToString()));
        Assert.Equal(childSend.SpanId, Assert.Single(mainProcess.Links).Context.SpanId.ToString());
        Assert.Equal("process", mainProcess.GetTagItem("messaging.operation.type"));

        // "reply:hello" as MessagePack: a fixstr header and 11 bytes; the 28 bytes of trace context before it are not counted.
        Assert.Equal(12, mainProcess.GetTagItem("messaging.message.body.size"));

        Assert.Equal((ActivityKind.Server, client.SpanId), (server.Kind, server.ParentSpanId.ToString()));
        Assert.Equal(("firn", "main.echo"), (server.GetTagItem("rpc.system"), server.GetTagItem("rpc.method")));
    }

    [Fact]
    public async Task A_child_that_records_spans_carries_trace_context_only_where_the_handshake_agreed_on_it()
    {
        var plain = await SentOnPlainAsync(Capabilities.TraceContext, new Dictionary<string, string>());
        var agreed = await SentOnPlainAsync(Capabilities.TraceContext, Traced);
        var oldMain = await SentOnPlainAsync(Capabilities.None, Traced);

        // No listener: not one byte more than the channel id and the payload, though the capability is in force.
        Assert.Equal(plain.Body.Length, oldMain.Body.Length);
        Assert.Equal(plain.Body, oldMain.Body);
        Assert.False(TraceEnvelope.IsPresent(plain.Body.AsSpan(4)));

        // Recording and agreed: the envelope comes first, carrying the child's producer span.
        Assert.True(TraceEnvelope.IsPresent(agreed.Body.AsSpan(4)));
        var envelope = TraceEnvelope.Read(agreed.Body.AsSpan(4), out var context);
        Assert.Equal(plain.Body.AsSpan(4).ToArray(), agreed.Body.AsSpan(4 + envelope).ToArray());
        Assert.NotEqual(default, context.TraceId);
        Assert.Equal(CapabilityList.Supported, agreed.Offered);
    }

    /// <summary>Runs the "trace-send" scenario against a main process that agrees on <paramref name="agree"/>; returns the Send frame on "plain" and what the child offered.</summary>
    private static async Task<(byte[] Body, Capabilities Offered)> SentOnPlainAsync(Capabilities agree, IReadOnlyDictionary<string, string> environment)
    {
        await using var main = await SilentMain.StartAsync("sender", TimeSpan.FromSeconds(30), agree, environment, "trace-send");
        Assert.Equal("sent", await main.NextReportAsync());

        var plainId = main.ChannelIdOf("plain");
        var frame = main.Received.First(f => f.Kind == FrameKind.Send && BitConverter.ToUInt32(f.Body, 0) == plainId);
        return (frame.Body, Firn.Hosting.Handshake.DecodeHello(main.Hello).Offered);
    }

    private static Activity Single(IEnumerable<Activity> spans, string name) => Assert.Single(spans, s => s.OperationName == name);

    private static Span Line(string line)
    {
        var fields = line.Split('|');
        return new Span(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }

    private sealed record Span(string Name, string Kind, string TraceId, string SpanId, string ParentId, string Links);
}
