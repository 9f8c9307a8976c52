namespace Firn.Hosting;

/// <summary>
/// One timer for the whole app: every <see cref="FirnAppOptions.HeartbeatInterval"/> it pings each running child and
/// kills those that sent nothing for <see cref="FirnAppOptions.HeartbeatTimeout"/> (see <see cref="ManagedProcess.CheckHeartbeat"/>).
/// </summary>
internal sealed class HeartbeatMonitor : IDisposable
{
    private readonly IReadOnlyList<ManagedProcess> _processes;
    private readonly long _timeoutMs;
    private readonly Timer? _timer;

    public HeartbeatMonitor(IReadOnlyList<ManagedProcess> processes, TimeSpan interval, TimeSpan timeout)
    {
        _processes = processes;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(static state => ((HeartbeatMonitor)state!).Tick(), this, interval, interval);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var process in _processes)
        {
            process.CheckHeartbeat(now, _timeoutMs);
        }
    }
}
