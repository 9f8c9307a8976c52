using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// Makes a child write what it has queued for the main process on every way out that still runs managed code, so that
/// a message counts as sent once <c>Send</c> returns unless the child dies by SIGKILL or a native crash.
/// </summary>
/// <remarks>
/// A child's <c>Send</c> queues into its connection's outbound buffer (written inline when the socket is idle, else by
/// the connection's writer thread); a syscall per message would cost what batching saves. The ordinary end of the
/// entry (returned, threw, or stopped after SIGTERM or a stop request) already flushes before the connection closes.
/// The other ways out skip that path: <see cref="Environment.Exit(int)"/> (and SIGTERM once the entry has ended) raise
/// <see cref="AppDomain.ProcessExit"/>, and an exception no code catches raises
/// <see cref="AppDomain.UnhandledException"/> on its thread before the runtime aborts. Both handlers block, at most
/// <see cref="Bound"/>, until the main process has read everything sent so far (a round trip; bytes in the socket are not
/// enough, see <c>FirnApp.ReachedMainAsync</c>): the connection's threads and the thread pool still run then.
/// </remarks>
internal sealed partial class ExitFlush : IDisposable
{
    /// <summary>The longest an exit waits for the flush (a main process that stopped reading must not hold the child).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private readonly Func<TimeSpan, Task<bool>> _flush;
    private readonly ILogger _logger;

    /// <param name="flush">Completes with true once the main process has everything sent so far, false after the given time or if the connection closed first.</param>
    /// <param name="logger">Where a flush that did not finish in time is logged.</param>
    public ExitFlush(Func<TimeSpan, Task<bool>> flush, ILogger logger)
    {
        _flush = flush;
        _logger = logger;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Flush("the process exits");

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e) => Flush("an unhandled exception ends the process");

    private void Flush(string why)
    {
        try
        {
            // A blocking wait is the point: the process ends when this handler returns. The flush completes from the
            // connection's threads and the thread pool, which still run, never from this one, so the wait cannot
            // deadlock; and it is bounded, so a main process that stopped reading does not hold the exit.
            var flushed = _flush(Bound);
            if (!flushed.Wait(Bound + Bound) || !flushed.Result)
            {
                LogNotFlushed(why, Bound);
            }
        }
#pragma warning disable CA1031 // An exit path must never throw; a failed flush loses only what the process could not write.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The main process had not received everything sent within {Bound} as {Why}; what it had not may be lost")]
    private partial void LogNotFlushed(string why, TimeSpan bound);
}
