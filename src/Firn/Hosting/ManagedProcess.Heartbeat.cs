using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <content>Heartbeats: a running child that stops answering is killed, and its restart policy applies.</content>
internal sealed partial class ManagedProcess
{
    /// <summary>
    /// Called on every heartbeat tick: pings the running instance, or kills it when nothing has arrived from it for
    /// <paramref name="timeoutMs"/> milliseconds. A child answers pings on its read loop, so only a stopped, hung or
    /// starved process misses them.
    /// </summary>
    public void CheckHeartbeat(long now, long timeoutMs)
    {
        Instance? instance;
        ChildSession? session;
        lock (_lock)
        {
            instance = _instance;
            session = instance?.Session;
            if (_state != ProcessState.Running || instance is null || session is null || instance.StopRequested || instance.HasExited || instance.Unresponsive)
            {
                return;
            }

            if (now - session.LastHeard <= timeoutMs)
            {
                session = null;
            }
            else
            {
                instance.Unresponsive = true;
            }
        }

        if (session is null)
        {
            instance.Session?.SendPing();
            return;
        }

        LogUnresponsive(Name, instance.Pid, TimeSpan.FromMilliseconds(timeoutMs));
        KillInstance(instance);
    }

    /// <summary>The connection of the current instance, if it has one (diagnostics).</summary>
    public ChildSession? CurrentSession
    {
        get
        {
            lock (_lock)
            {
                return _instance?.Session;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Process '{Name}' (pid {Pid}) sent nothing for {Timeout}, not even a heartbeat: it is stopped or hung; killing it")]
    private partial void LogUnresponsive(string name, int pid, TimeSpan timeout);
}
