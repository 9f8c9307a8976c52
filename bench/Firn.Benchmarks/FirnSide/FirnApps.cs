using Firn.Benchmarks.Harness;
using Microsoft.Extensions.Logging;

namespace Firn.Benchmarks.FirnSide;

/// <summary>Builds the main-process <see cref="FirnApp"/> of a case; its children are this program re-launched (see <see cref="FirnChildMain"/>).</summary>
internal static class FirnApps
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The environment variable that turns metrics off in a child (see <see cref="FirnChildMain"/>).</summary>
    public const string MetricsVariable = "FIRN_BENCH_METRICS";

    public static FirnApp CreateMain(BenchContext context, IEnumerable<string> children, bool waitForReady = false, bool metrics = true) =>
        CreateMain(context.QuietLogs, context.TempDirectory, children, waitForReady, metrics);

    /// <param name="redis">When set, the main process is on Redis (<c>UseRedis</c>), named <paramref name="mainProcessName"/>.</param>
    public static FirnApp CreateMain(ILoggerFactory logs, string socketDirectory, IEnumerable<string> children, bool waitForReady = false, bool metrics = true, FirnRedisOptions? redis = null, string mainProcessName = "main")
    {
        var appOptions = new FirnAppOptions
        {
            LoggerFactory = logs,
            HandleSignals = false,
            SocketDirectory = socketDirectory,
            StartTimeout = TimeSpan.FromSeconds(60),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
            EnableMetrics = metrics,
            MainProcessName = mainProcessName,

            // An app on Redis shares this process with the case's in-memory one: an admin socket of its own name (else a
            // warning); the in-memory apps keep the default, this program's assembly name.
            AppName = redis is null ? new FirnAppOptions().AppName : "Firn.Benchmarks." + mainProcessName,
        };
        var app = new FirnApp(redis is null ? appOptions : appOptions.UseRedis(redis));
        var options = new ProcessOptions
        {
            Restart = RestartPolicy.Temporary,
            WaitForReadySignal = waitForReady,
            Environment = new Dictionary<string, string> { ["FIRN_LOG_LEVEL"] = "Warning", [MetricsVariable] = metrics ? "1" : "0" },
        };
        foreach (var name in children)
        {
            app.AddProcess(name, NotInMain, options);
        }

        return app;
    }

    /// <summary>Sends a command to a child on its built-in active channel.</summary>
    public static ValueTask CommandAsync(this FirnApp app, string child, string command, CancellationToken cancellationToken) =>
        app.GetChannel<object?>(child + "-active").SendAsync(command, cancellationToken);

    /// <summary>The next report a child sent on the "report" channel.</summary>
    public static async Task<string> NextReportAsync(this FirnApp app, CancellationToken cancellationToken) =>
        await app.GetChannel<string>(ChildRoles.ReportChannel).ReceiveAsync(cancellationToken).AsTask().WaitAsync(ReplyTimeout, cancellationToken);

    private static Task NotInMain(FirnProcessContext context) =>
        throw new InvalidOperationException($"The entry of '{context.ProcessName}' runs only in the child process.");
}
