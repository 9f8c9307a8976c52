namespace Firn.Hosting;

/// <summary>
/// This host's children and channels together with the other hosts' (<see cref="IProcessRegistry"/>): what the
/// supervisor and the admin socket show. Without a registry, the local lists as they are.
/// </summary>
internal static class HostViews
{
    /// <summary>This host's children (labelled with its name), then each other host's, hosts ordered by name.</summary>
    public static IReadOnlyList<ProcessStatus> Processes(IReadOnlyList<ProcessStatus> local, IProcessRegistry? registry)
    {
        if (registry is null)
        {
            return local;
        }

        var all = new List<ProcessStatus>(local.Count);
        all.AddRange(local.Select(s => s with { Host = registry.HostName }));
        foreach (var host in registry.OtherHosts())
        {
            all.AddRange(host.Processes.Select(p => p.Status));
        }

        return all;
    }

    /// <summary>
    /// Every host's channels merged by name: the members of all hosts (each labelled), the queued and unconsumed counts
    /// summed, closed when closed on any host. The local type name wins when hosts disagree (they cannot once channels are shared).
    /// </summary>
    public static IReadOnlyList<ChannelInfo> Channels(IReadOnlyList<ChannelInfo> local, IProcessRegistry? registry)
    {
        if (registry is null)
        {
            return local;
        }

        var merged = new SortedDictionary<string, (ChannelInfo Info, List<ChannelMemberInfo> Members)>(StringComparer.Ordinal);
        Add(merged, local, registry.HostName);
        foreach (var host in registry.OtherHosts())
        {
            Add(merged, host.Channels, hostName: null);
        }

        return [.. merged.Values.Select(m => m.Info with
        {
            Members = [.. m.Members.OrderBy(x => x.ProcessName, StringComparer.Ordinal).ThenBy(x => x.Host, StringComparer.Ordinal)],
        })];
    }

    /// <summary>The other hosts that have a child of that name, ordered by host name.</summary>
    public static IReadOnlyList<string> HostsOf(string processName, IProcessRegistry? registry) =>
        registry is null
            ? []
            : [.. registry.OtherHosts().Where(h => h.Processes.Any(p => string.Equals(p.Status.Name, processName, StringComparison.Ordinal))).Select(h => h.Host)];

    /// <summary>Why a control of another host's child is refused: only its own main process supervises it.</summary>
    public static string OnOtherHost(string processName, IReadOnlyList<string> hosts, string thisHost) =>
        $"Process '{processName}' is on host {string.Join(", ", hosts.Select(h => $"'{h}'"))}, not on this one ('{thisHost}'): only its own main process controls it; run firnctl on that host's machine (or call its supervisor there).";

    private static void Add(SortedDictionary<string, (ChannelInfo Info, List<ChannelMemberInfo> Members)> merged, IReadOnlyList<ChannelInfo> channels, string? hostName)
    {
        foreach (var channel in channels)
        {
            var members = hostName is null ? channel.Members : channel.Members.Select(m => m with { Host = hostName });
            if (merged.TryGetValue(channel.Name, out var existing))
            {
                existing.Members.AddRange(members);
                merged[channel.Name] = (existing.Info with
                {
                    Queued = existing.Info.Queued + channel.Queued,
                    Unconsumed = existing.Info.Unconsumed + channel.Unconsumed,
                    IsClosed = existing.Info.IsClosed || channel.IsClosed,
                }, existing.Members);
            }
            else
            {
                merged.Add(channel.Name, (channel, [.. members]));
            }
        }
    }
}
