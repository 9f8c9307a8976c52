using System.Diagnostics.Metrics;

namespace Firn.Meters;

/// <content>Children: restarts by exit reason, and state, uptime, CPU time and memory of each, read when collected.</content>
internal sealed partial class FirnMetrics
{
    private readonly Counter<long> _restarts;

    /// <summary>The supervisor scheduled a restart of <paramref name="process"/> after it exited for <paramref name="exitReason"/>.</summary>
    public void Restarted(string process, string exitReason)
    {
        if (_restarts.Enabled)
        {
            _restarts.Add(1, new System.Diagnostics.TagList { { "firn.process.name", process }, { "firn.process.exit_reason", exitReason } });
        }
    }

    /// <summary>Reports every child from <paramref name="snapshot"/> when collected; CPU time and memory come from <c>/proc</c> then.</summary>
    public void ObserveProcesses(Func<IReadOnlyList<ProcessSample>> snapshot)
    {
        if (!IsEnabled)
        {
            return;
        }

        Meter.CreateObservableGauge("firn.process.state", () => MeasureStates(snapshot()), "{process}", "1 for each child, tagged with its state (firn.process.state).");
        Meter.CreateObservableGauge("process.uptime", () => MeasureUptimes(snapshot()), "s", "How long each running child has been running since it was spawned.");
        Meter.CreateObservableCounter("process.cpu.time", () => MeasureCpu(snapshot()), "s", "CPU time of each running child, by cpu.mode (user, system), from /proc/<pid>/stat.");
        Meter.CreateObservableUpDownCounter("process.memory.usage", () => MeasureMemory(snapshot()), "By", "Resident memory of each running child (VmRSS of /proc/<pid>/status).");
    }

    private static List<Measurement<int>> MeasureStates(IReadOnlyList<ProcessSample> processes)
    {
        var measurements = new List<Measurement<int>>(processes.Count);
        foreach (var process in processes)
        {
            measurements.Add(new Measurement<int>(1, new("firn.process.name", process.Name), new("firn.process.state", process.State)));
        }

        return measurements;
    }

    private static List<Measurement<double>> MeasureUptimes(IReadOnlyList<ProcessSample> processes)
    {
        var measurements = new List<Measurement<double>>(processes.Count);
        foreach (var process in processes)
        {
            if (process is { Pid: { } pid, Uptime: { } uptime })
            {
                measurements.Add(new Measurement<double>(uptime.TotalSeconds, Tags(process.Name, pid)));
            }
        }

        return measurements;
    }

    private static List<Measurement<double>> MeasureCpu(IReadOnlyList<ProcessSample> processes)
    {
        var measurements = new List<Measurement<double>>(processes.Count * 2);
        foreach (var process in processes)
        {
            if (process.Pid is { } pid && ProcStat.ReadCpuSeconds(pid) is { } cpu)
            {
                measurements.Add(new Measurement<double>(cpu.User, [.. Tags(process.Name, pid), new("cpu.mode", "user")]));
                measurements.Add(new Measurement<double>(cpu.System, [.. Tags(process.Name, pid), new("cpu.mode", "system")]));
            }
        }

        return measurements;
    }

    private static List<Measurement<long>> MeasureMemory(IReadOnlyList<ProcessSample> processes)
    {
        var measurements = new List<Measurement<long>>(processes.Count);
        foreach (var process in processes)
        {
            if (process.Pid is { } pid && ProcStat.ReadResidentBytes(pid) is { } bytes)
            {
                measurements.Add(new Measurement<long>(bytes, Tags(process.Name, pid)));
            }
        }

        return measurements;
    }

    private static KeyValuePair<string, object?>[] Tags(string name, int pid) => [new("firn.process.name", name), new("process.pid", pid)];
}

/// <summary>One child as the process instruments report it.</summary>
/// <param name="Name">The child's name.</param>
/// <param name="State">Its state, in lower case (<c>running</c>, <c>backoff</c>, ...).</param>
/// <param name="Pid">Its process id while it is alive.</param>
/// <param name="Uptime">How long it has run since it was spawned, while it is alive.</param>
internal readonly record struct ProcessSample(string Name, string State, int? Pid, TimeSpan? Uptime);
