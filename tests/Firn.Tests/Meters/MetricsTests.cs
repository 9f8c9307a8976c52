using System.Diagnostics.Metrics;
using Firn.Meters;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Meters;

/// <summary>Each instrument of the meter "Firn", read by a <see cref="MeterListener"/> after a known workload over real child processes.</summary>
public sealed class MetricsTests
{
    private static (string, object?) Channel(string name) => ("messaging.destination.name", name);

    private static (string, object?) Process(string name) => ("firn.process.name", name);

    [Fact]
    public async Task Messages_a_child_sends_are_counted_as_sent_and_consumed_per_channel_and_process()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("sender", ["sender"]));
        using var metrics = new MetricsRecorder(app.Metrics.Meter);
        var handled = 0;
        app.GetChannel<int>("counted").OnReceive(_ => Interlocked.Increment(ref handled));
        await TestApps.StartAsync(app);

        await app.GetChannel<object?>("sender-active").SendAsync("send counted 100");
        Assert.Equal("done", await app.NextReportAsync("sender"));
        await TestApps.UntilAsync(() => Volatile.Read(ref handled) == 100, "the main process handled 100 messages");

        Assert.Equal(100, metrics.Sum("messaging.client.sent.messages", Channel("counted"), Process("sender"), ("messaging.system", "firn")));
        await TestApps.UntilAsync(() => metrics.Sum("messaging.client.consumed.messages", Channel("counted"), Process("main")) == 100, "100 messages were counted as consumed");
        await TestApps.UntilAsync(() => metrics.Of("messaging.process.duration", Channel("counted"), Process("main")).Count == 100, "100 handler durations were recorded");
        Assert.All(metrics.Of("messaging.process.duration"), r => Assert.True(r.Value >= 0));
        Assert.Equal("s", metrics.Instruments["messaging.process.duration"].Unit);
        Assert.Equal("{message}", metrics.Instruments["messaging.client.sent.messages"].Unit);

        var queued = Assert.Single(metrics.Observe("firn.channel.queued", Channel("counted")));
        Assert.Equal(0, queued.Value);
        var unacknowledged = Assert.Single(metrics.Observe("firn.channel.unacknowledged", Channel("counted")));
        Assert.Equal(0, unacknowledged.Value);
    }

    [Fact]
    public async Task Waiting_messages_are_a_gauge_and_a_send_that_waited_for_credit_records_how_long()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, new FirnAppOptions { ChannelSendWindow = 2 }, ("echo", ["echo", "in", "out"]));
        using var metrics = new MetricsRecorder(app.Metrics.Meter);
        var input = app.GetChannel<string>("in");
        var output = app.GetChannel<string>("out");

        // Before the child starts, nobody receives "in": two messages fill the window and wait in the router.
        await input.SendAsync("a");
        await input.SendAsync("b");
        Assert.Equal(2, Assert.Single(metrics.Observe("firn.channel.queued", Channel("in"))).Value);
        var third = input.SendAsync("c").AsTask();

        await TestApps.StartAsync(app);
        await third.WaitAsync(TestApps.Timeout);
        foreach (var expected in new[] { "echo:a", "echo:b", "echo:c" })
        {
            Assert.Equal(expected, await output.ReceiveAsync().AsTask().WaitAsync(TestApps.Timeout));
        }

        var waited = Assert.Single(metrics.Of("firn.channel.send.wait.duration", Channel("in"), Process("main")));
        Assert.True(waited.Value > 0);
        Assert.Equal(3, metrics.Sum("messaging.client.sent.messages", Channel("in"), Process("main")));
        Assert.Equal(3, metrics.Sum("messaging.client.sent.messages", Channel("out"), Process("echo")));
        await TestApps.UntilAsync(() => metrics.Observe("firn.channel.queued", Channel("in")).SingleOrDefault()?.Value == 0, "nothing waits on 'in'");
    }

    [Fact]
    public async Task Rpc_calls_record_their_duration_on_each_side_with_the_error_type_of_a_failure()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("caller", TestApps.Child("rpc-call-text", "main.fail"));
        using var metrics = new MetricsRecorder(app.Metrics.Meter);
        app.Rpc.Register("main.fail", new Func<string>(() => throw new InvalidOperationException("refused")));
        await TestApps.StartAsync(app);

        // The child calls main.fail: the main process serves it and records the handler's exception type.
        Assert.StartsWith("error:", await app.NextReportAsync("caller"), StringComparison.Ordinal);
        var served = Assert.Single(metrics.Of("rpc.server.call.duration", ("rpc.method", "main.fail")));
        Assert.Equal(typeof(InvalidOperationException).FullName, served.Tags["error.type"]);
        Assert.Equal("firn", served.Tags["rpc.system"]);

        // The main process calls the child: one success, one failure.
        Assert.Equal(5, await app.Rpc.CallAsync<int>("calc.add", 2, 3));
        var failure = await Assert.ThrowsAnyAsync<RpcException>(() => app.Rpc.CallAsync<string>("calc.throw", "no"));
        var succeeded = Assert.Single(metrics.Of("rpc.client.call.duration", ("rpc.method", "calc.add")));
        Assert.False(succeeded.Tags.ContainsKey("error.type"));
        Assert.True(succeeded.Value > 0);
        var failed = Assert.Single(metrics.Of("rpc.client.call.duration", ("rpc.method", "calc.throw")));
        Assert.Equal(failure.GetType().FullName, failed.Tags["error.type"]);
    }

    [Fact]
    public async Task A_crash_counts_a_restart_with_its_reason_and_a_live_child_reports_state_uptime_cpu_and_memory()
    {
        var log = new TestLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("crashy", SupervisedApps.Child(["obey"], restart: RestartPolicy.Permanent)),
            ("steady", SupervisedApps.Child(["idle"])));
        using var metrics = new MetricsRecorder(app.Metrics.Meter);
        await TestApps.StartAsync(app);
        var crashyPid = await app.NextReportAsync("crashy");
        var steadyPid = int.Parse(SupervisedApps.Pid(await app.NextReportAsync("steady")), System.Globalization.CultureInfo.InvariantCulture);

        var state = Assert.Single(metrics.Observe("firn.process.state", Process("steady")));
        Assert.Equal(1, state.Value);
        Assert.Equal("running", state.Tags["firn.process.state"]);
        var memory = Assert.Single(metrics.Observe("process.memory.usage", Process("steady")));
        Assert.True(memory.Value > 1024 * 1024, $"RSS {memory.Value}");
        Assert.Equal(steadyPid, memory.Tags["process.pid"]);
        var cpu = metrics.Observe("process.cpu.time", Process("steady"));
        Assert.Equal(["system", "user"], cpu.Select(c => (string)c.Tags["cpu.mode"]!).Order());
        Assert.All(cpu, c => Assert.True(c.Value >= 0));
        Assert.True(Assert.Single(metrics.Observe("process.uptime", Process("steady"))).Value > 0);

        app.Exit("crashy", crashyPid, 3);
        await TestApps.UntilAsync(() => metrics.Sum("firn.process.restarts", Process("crashy"), ("firn.process.exit_reason", "crashed")) == 1, "the crash counted one restart");
        Assert.Empty(metrics.Of("firn.process.restarts", Process("steady")));
    }

    [Fact]
    public async Task Store_operations_record_their_duration_and_the_store_reports_keys_and_bytes()
    {
        var log = new TestLog();
        await using var app = TestApps.Create(log, ("store", ["store-roundtrip"]));
        using var metrics = new MetricsRecorder(app.Metrics.Meter);
        var store = app.SharedMemory;
        for (var i = 0; i < 3; i++)
        {
            await store.SetAsync($"metrics-key-{i}", new string('x', 100));
        }

        Assert.Throws<StoreTypeMismatchException>(() => store.Increment("metrics-key-0"));

        Assert.Equal(3, metrics.Of("firn.store.operation.duration", ("db.operation.name", "set")).Count);
        Assert.Equal("type_mismatch", Assert.Single(metrics.Of("firn.store.operation.duration", ("db.operation.name", "increment"))).Tags["error.type"]);
        Assert.Equal(3, Assert.Single(metrics.Observe("firn.store.keys")).Value);
        Assert.True(Assert.Single(metrics.Observe("firn.store.size")).Value >= 300);

        // A child's operations are served, and measured, by the main process.
        await TestApps.StartAsync(app);
        await TestApps.UntilAsync(() => metrics.Of("firn.store.operation.duration", ("db.operation.name", "get")).Count > 0, "the child's store operations were measured");
    }

    [Fact]
    public async Task Two_apps_in_one_process_record_on_separate_meters_and_a_disabled_app_records_nothing()
    {
        var factory = new TestMeterFactory();
        await using var first = new FirnApp(new FirnAppOptions { MeterFactory = factory, HandleSignals = false, LoggerFactory = new TestLog().Factory });
        await using var second = new FirnApp(new FirnAppOptions { HandleSignals = false, LoggerFactory = new TestLog().Factory });
        await using var off = new FirnApp(new FirnAppOptions { EnableMetrics = false, HandleSignals = false, LoggerFactory = new TestLog().Factory });
        using var firstMetrics = new MetricsRecorder(first.Metrics.Meter);
        using var secondMetrics = new MetricsRecorder(second.Metrics.Meter);
        using var everyFirnMeter = new AllFirnMeters();

        Send(first, 3);
        Send(second, 5);
        Send(off, 7);

        Assert.Same(factory, first.Metrics.Meter.Scope);
        Assert.Contains(first.Metrics.Meter, factory.Created);
        Assert.Equal(FirnMetrics.MeterName, second.Metrics.Meter.Name);
        Assert.Equal(3, firstMetrics.Sum("messaging.client.sent.messages", Channel("same-name")));
        Assert.Equal(5, secondMetrics.Sum("messaging.client.sent.messages", Channel("same-name")));
        Assert.Equal(8, everyFirnMeter.Sent("same-name"));
        Assert.False(off.Metrics.IsEnabled);

        static void Send(FirnApp app, int count)
        {
            var channel = app.GetChannel<int>("same-name");
            for (var i = 0; i < count; i++)
            {
                channel.Send(i);
            }
        }
    }

    [Fact]
    public void Cpu_times_are_read_after_the_command_even_when_it_holds_spaces_and_parentheses()
    {
        const string stat = "4242 (a b) (c)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 4 0 100 1000000 500 18446744073709551615";
        var cpu = ProcStat.ParseCpuSeconds(stat, 100);
        Assert.Equal((2.5, 0.75), cpu);
        Assert.Null(ProcStat.ParseCpuSeconds("garbage", 100));
        Assert.NotNull(ProcStat.ReadResidentBytes(Environment.ProcessId));
        Assert.NotNull(ProcStat.ReadCpuSeconds(Environment.ProcessId));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Scope = this });
            lock (Created)
            {
                Created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }

    /// <summary>Listens to every meter named "Firn" in the process, as dotnet-counters would.</summary>
    private sealed class AllFirnMeters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sent;
        private readonly string _channel = "same-name";

        public AllFirnMeters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FirnMetrics.MeterName && instrument.Name == "messaging.client.sent.messages")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "messaging.destination.name" && Equals(tag.Value, _channel))
                    {
                        Interlocked.Add(ref _sent, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Sent(string channel) => channel == _channel ? Interlocked.Read(ref _sent) : 0;

        public void Dispose() => _listener.Dispose();
    }
}
