namespace Firn.Hosting;

/// <summary>
/// One child's automatic restarts: the restart intensity (at most <see cref="ProcessOptions.MaxRestarts"/> within
/// <see cref="ProcessOptions.RestartWindow"/>) and the exponential back-off. Times come from a monotonic clock.
/// Not thread safe: its owner calls it under its lock.
/// </summary>
internal sealed class RestartHistory
{
    private readonly Queue<TimeSpan> _restarts = new();
    private int _consecutive;

    /// <summary>
    /// Records a restart at <paramref name="now"/> and returns its back-off delay, or returns null (recording nothing)
    /// when the intensity is used up.
    /// </summary>
    /// <param name="now">The monotonic time of the exit.</param>
    /// <param name="ranFor">How long the instance that exited had been running (zero if it never became ready).</param>
    /// <param name="options">The child's settings.</param>
    public TimeSpan? TryRecordRestart(TimeSpan now, TimeSpan ranFor, ProcessOptions options)
    {
        while (_restarts.Count > 0 && now - _restarts.Peek() >= options.RestartWindow)
        {
            _restarts.Dequeue();
        }

        if (_restarts.Count >= options.MaxRestarts)
        {
            return null;
        }

        _restarts.Enqueue(now);
        if (ranFor >= options.BackoffResetAfter)
        {
            _consecutive = 0;
        }

        return Delay(_consecutive++, options);
    }

    /// <summary>Forgets every restart: a start that someone asked for begins with the full intensity and the shortest back-off.</summary>
    public void Reset()
    {
        _restarts.Clear();
        _consecutive = 0;
    }

    /// <summary>The back-off before restart number <paramref name="consecutive"/> (0-based) of a run of quick exits.</summary>
    public static TimeSpan Delay(int consecutive, ProcessOptions options)
    {
        var ticks = options.RestartDelay.Ticks * Math.Pow(2, Math.Min(consecutive, 62));
        return ticks >= options.MaxRestartDelay.Ticks ? options.MaxRestartDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The monotonic clock the supervisor uses.</summary>
    public static TimeSpan Now => TimeSpan.FromMilliseconds(Environment.TickCount64);
}
