using Microsoft.Extensions.Logging;

namespace Firn.Transport;

/// <summary>
/// Cancels token sources whose tokens user code has seen. <see cref="CancellationTokenSource.Cancel()"/> runs the
/// callbacks registered on the token (and on tokens linked to it) and rethrows their exceptions; a callback that
/// throws must be logged, never allowed to end the process or skip the rest of a stop.
/// </summary>
internal static partial class SafeCancellation
{
    public static void Cancel(CancellationTokenSource source, ILogger logger, string what)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It was finished with already.
        }
        catch (AggregateException ex)
        {
            LogCallbackFailed(logger, ex, what);
        }
    }

    /// <summary>Like <see cref="Cancel"/>, with the callbacks run by <see cref="CancellationTokenSource.CancelAsync"/>.</summary>
    public static async Task CancelAsync(CancellationTokenSource source, ILogger logger, string what)
    {
        try
        {
            await source.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (AggregateException ex)
        {
            LogCallbackFailed(logger, ex, what);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A callback registered on the cancellation token of {What} threw; it was ignored")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception, string what);
}
