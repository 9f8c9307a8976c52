namespace Firn.Hosting;

/// <summary>
/// The deadline of the app's stop (<see cref="FirnAppOptions.StopTimeout"/>), armed once when a stop is first asked
/// for. At <see cref="Token"/> every hook's token has fired and children still running are killed; at
/// <see cref="HardToken"/>, <see cref="Grace"/> later, the stop stops waiting for anything that is still running.
/// </summary>
internal sealed class StopDeadline : IDisposable
{
    /// <summary>How long past the deadline the stop still waits for hooks to return and killed children to be reaped.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _soft = new();
    private readonly CancellationTokenSource _hard = new();
    private int _armed;

    public StopDeadline()
    {
        // Read once: work abandoned at the deadline may still look at them after the app was disposed.
        Token = _soft.Token;
        HardToken = _hard.Token;
    }

    /// <summary>Fires at the deadline.</summary>
    public CancellationToken Token { get; }

    /// <summary>Fires <see cref="Grace"/> after the deadline.</summary>
    public CancellationToken HardToken { get; }

    /// <summary>Starts the clock; later calls do nothing.</summary>
    /// <returns>Whether this call started it.</returns>
    public bool Arm(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _armed, 1) != 0)
        {
            return false;
        }

        try
        {
            _soft.CancelAfter(timeout);
            _hard.CancelAfter(timeout + Grace);
        }
        catch (ObjectDisposedException)
        {
        }

        return true;
    }

    /// <summary>
    /// Waits for <paramref name="task"/> until the hard deadline (what the deadline cut short, such as a killed child,
    /// has <see cref="Grace"/> to finish). Returns whether it completed; one that did not is left running.
    /// </summary>
    public Task<bool> WaitAsync(Task task) => WaitAsync(task, Timeout.InfiniteTimeSpan);

    /// <summary>Like <see cref="WaitAsync(Task)"/>, and at most <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout, HardToken).ConfigureAwait(false);
        }
        catch (Exception ex) when ((ex is OperationCanceledException or TimeoutException) && !task.IsCompleted)
        {
            return false;
        }
#pragma warning disable CA1031 // The caller only asks whether the work ended; its own errors are reported where it runs.
        catch (Exception) when (task.IsCompleted)
#pragma warning restore CA1031
        {
        }

        return true;
    }

    public void Dispose()
    {
        _soft.Dispose();
        _hard.Dispose();
    }
}
