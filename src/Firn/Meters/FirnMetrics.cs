using System.Diagnostics.Metrics;

namespace Firn.Meters;

/// <summary>
/// One app's instruments, on its own Meter named <see cref="MeterName"/> (made by <see cref="FirnAppOptions.MeterFactory"/>
/// when one is given, else owned by the app and disposed with it), so two apps in one process never mix their figures.
/// Names, units and tags follow the OpenTelemetry semantic conventions where they exist (docs/observability.md lists them).
/// </summary>
/// <remarks>
/// Recording costs nothing measurable when nobody listens: every recording method first reads its instrument's
/// <see cref="Instrument.Enabled"/> (a field), and only then reads the clock or builds tags, in a <see cref="System.Diagnostics.TagList"/>
/// on the stack (no allocation for up to eight tags). Counters are added once per batch where the router handles a batch.
/// Observable instruments are read only when a listener collects them.
/// </remarks>
internal sealed partial class FirnMetrics : IDisposable
{
    /// <summary>The name of the meter every app's instruments are on.</summary>
    public const string MeterName = "Firn";

    /// <summary>The value of the <c>messaging.system</c> and <c>rpc.system</c> tags.</summary>
    public const string SystemName = "firn";

    // Before Disabled: static initializers run in textual order.
    /// <summary>Bucket boundaries for durations in seconds, from 5 µs to 10 s (the default ones start at 5 s's scale).</summary>
    private static readonly InstrumentAdvice<double> AdviceSeconds = new()
    {
        HistogramBucketBoundaries = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly bool _ownsMeter;

    private FirnMetrics(Meter meter, string processName, bool ownsMeter, bool enabled)
    {
        Meter = meter;
        ProcessName = processName;
        _ownsMeter = ownsMeter;
        IsEnabled = enabled;
        _sent = meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Messages sent on a channel, counted by the main process's router as they arrive.");
        _consumed = meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Messages a receiver consumed (acknowledged), counted by the main process's router.");
        _processDuration = meter.CreateHistogram<double>("messaging.process.duration", "s", "How long the passive handlers of this process took for one message.", tags: null, advice: AdviceSeconds);
        _redelivered = meter.CreateCounter<long>("firn.channel.redelivered", "{message}", "Messages delivered again because their receiver disconnected before consuming them.");
        _creditWait = meter.CreateHistogram<double>("firn.channel.send.wait.duration", "s", "How long a send of this process waited for the channel's send window (only sends that waited).", tags: null, advice: AdviceSeconds);
        _rpcClient = meter.CreateHistogram<double>("rpc.client.call.duration", "s", "Duration of the remote calls this process made.", tags: null, advice: AdviceSeconds);
        _rpcServer = meter.CreateHistogram<double>("rpc.server.call.duration", "s", "Duration of the calls this process handled.", tags: null, advice: AdviceSeconds);
        _storeOperation = meter.CreateHistogram<double>("firn.store.operation.duration", "s", "Duration of one operation of the shared store, in the main process that owns it.", tags: null, advice: AdviceSeconds);
        _publicationsDropped = meter.CreateCounter<long>("firn.pubsub.publications.dropped", "{publication}", "Publications a subscribed process missed because its connection was congested.");
        _restarts = meter.CreateCounter<long>("firn.process.restarts", "{restart}", "Restarts of a child the supervisor scheduled after it exited, by exit reason.");
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter { get; }

    /// <summary>This process's name, the <c>firn.process.name</c> of what it records about itself.</summary>
    public string ProcessName { get; }

    /// <summary>Whether the app records (<see cref="FirnAppOptions.EnableMetrics"/>).</summary>
    public bool IsEnabled { get; }

    /// <summary>Instruments that never record: their meter is disposed before they are created, so no listener ever sees them.</summary>
    public static FirnMetrics Disabled { get; } = CreateDisabled();

    /// <summary>An app's instruments on a meter from <paramref name="factory"/>, or on a meter of its own.</summary>
    public static FirnMetrics Create(IMeterFactory? factory, string processName)
    {
        var options = new MeterOptions(MeterName) { Version = typeof(FirnMetrics).Assembly.GetName().Version?.ToString() };
        return factory is null
            ? new FirnMetrics(new Meter(options), processName, ownsMeter: true, enabled: true)
            : new FirnMetrics(factory.Create(options), processName, ownsMeter: false, enabled: true);
    }

    /// <summary>Disposes the meter if the app owns it (a factory disposes its own meters).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private static FirnMetrics CreateDisabled()
    {
        var meter = new Meter(MeterName);
        meter.Dispose();
        return new FirnMetrics(meter, string.Empty, ownsMeter: false, enabled: false);
    }
}
