using System.Diagnostics;
using Firn.Benchmarks.Harness;

namespace Firn.Benchmarks.FirnSide;

/// <summary>
/// B1/B2 "firn-python": the same workloads as the "firn" contestant (<see cref="FirnThroughput"/>, <see cref="FirnRoundTrip"/>)
/// with the child in Python (python/firn_bench_child.py and the firn package, clients/python, copied to the output).
/// The interpreter is <c>FIRN_PYTHON</c>, else /usr/bin/python3; the contestant is skipped when it cannot import msgpack.
/// </summary>
internal sealed class FirnPython(BenchContext context, string caseId, bool throughput) : Contestant(ContestantName)
{
    public const string ContestantName = "firn-python";

    private const string Child = "py-child";
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "python");
    private readonly string _channel = caseId.ToLowerInvariant();
    private FirnApp? _app;
    private long _received;
    private long _expected;
    private TaskCompletionSource _done = new();

    private BenchContext Context { get; } = context;

    private FirnApp App => _app ?? throw new InvalidOperationException("The app has not started.");

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable("FIRN_PYTHON");
        var python = string.IsNullOrWhiteSpace(configured) ? "/usr/bin/python3" : configured;
        if (!File.Exists(Path.Combine(PythonDirectory, "firn_bench_child.py")) || !File.Exists(Path.Combine(PythonDirectory, "firn", "__init__.py")))
        {
            return $"{PythonDirectory} lacks firn_bench_child.py or the firn package";
        }

        if (!await ImportsMsgpackAsync(python, cancellationToken))
        {
            return $"{python} cannot import msgpack (Debian: apt-get install python3-msgpack)";
        }

        _app = new FirnApp(new FirnAppOptions
        {
            LoggerFactory = Context.QuietLogs,
            HandleSignals = false,
            SocketDirectory = Context.TempDirectory,
            StartTimeout = TimeSpan.FromSeconds(60),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        _app.AddPythonProcess(Child, "firn_bench_child", new ProcessOptions
        {
            Executable = python,
            Arguments = [throughput ? "thr" : "lat"],
            Restart = RestartPolicy.Temporary,
            WaitForReadySignal = true,
            Environment = new Dictionary<string, string> { ["FIRN_LOG_LEVEL"] = "Warning" },
        }, pythonPath: [PythonDirectory]);
        if (throughput)
        {
            _app.GetChannel<string>(_channel, FirnThroughput.ReceiverOptions).OnReceive(_ => Count());
        }

        await _app.Supervisor!.StartAsync(cancellationToken);
        Note = Tools.Version(python, "--version") + (throughput ? Format.Invariantly($", {Context.Settings.PythonMessages:N0} messages per run") : string.Empty);
        return null;
    }

    public override async Task<Metrics> RunAsync(bool warmup, CancellationToken cancellationToken)
    {
        var settings = Context.Settings;
        var metrics = new Metrics();
        if (throughput)
        {
            var count = settings.PythonMessages;
            await RoundAsync(settings.WarmupMessages / 4, cancellationToken);
            if (!warmup)
            {
                var elapsed = await RoundAsync(count, cancellationToken);
                var rate = count / elapsed.TotalSeconds;
                metrics["msgs_per_s"] = rate;
                metrics["mb_per_s"] = rate * Payload.Text64.Length / 1e6;
            }

            return metrics;
        }

        var ping = App.GetChannel<string>(_channel + "-ping");
        var pong = App.GetChannel<string>(_channel + "-pong");
        var ticks = await Task.Factory.StartNew(
            () => FirnRoundTrip.Time(settings.WarmupRoundTrips, warmup ? 1 : settings.RoundTrips, () =>
            {
                ping.Send(Payload.Text64);
                return pong.Receive(FirnApps.ReplyTimeout).Length;
            }),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        if (!warmup)
        {
            Latency.AddTo(metrics, ticks);
        }

        return metrics;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private static async Task<bool> ImportsMsgpackAsync(string python, CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", "import msgpack"]) { RedirectStandardError = true, UseShellExecute = false })!;
            await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Has the child send <paramref name="count"/> messages; returns the time until the last was handled.</summary>
    private async Task<TimeSpan> RoundAsync(long count, CancellationToken cancellationToken)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _received, 0);
        Volatile.Write(ref _expected, count);
        var clock = Stopwatch.StartNew();
        await App.CommandAsync(Child, Format.Invariantly($"send {_channel} {count}"), cancellationToken);
        await _done.Task.WaitAsync(FirnApps.ReplyTimeout, cancellationToken);
        return clock.Elapsed;
    }

    private void Count()
    {
        if (Interlocked.Increment(ref _received) == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }
}
