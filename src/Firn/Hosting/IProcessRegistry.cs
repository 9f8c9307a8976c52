namespace Firn.Hosting;

/// <summary>
/// The process registry across hosts (a member of <see cref="IFirnBackendConnection"/>): each main process on a shared
/// backend publishes what its supervisor sees (its children, its channels' members) and reads the other hosts'.
/// </summary>
/// <remarks>
/// Reads are from a copy the registry keeps current in the background, so the supervisor's synchronous views stay
/// synchronous and never wait for the backend. A host that leaves is dropped from that copy at once; a host that dies,
/// once its liveness expires.
/// </remarks>
internal interface IProcessRegistry
{
    /// <summary>This main process's name among the hosts; it labels the local entries.</summary>
    string HostName { get; }

    /// <summary>Starts publishing this host's view, read from <paramref name="view"/> on the registry's own thread (call once).</summary>
    void Publish(Func<HostView> view);

    /// <summary>This host's view changed (a child's state): publish it soon. Cheap; never blocks.</summary>
    void Changed();

    /// <summary>The other live hosts' views, ordered by host name; each entry is labelled with its host.</summary>
    IReadOnlyList<HostView> OtherHosts();
}

/// <summary>What one host publishes: its children and its channels, as its own supervisor lists them.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="Processes">Its children in declaration order.</param>
/// <param name="Channels">Its channels as its router lists them.</param>
internal sealed record HostView(string Host, IReadOnlyList<HostProcess> Processes, IReadOnlyList<ChannelInfo> Channels);

/// <summary>A child as its host publishes it: its status, and its CPU time and memory when it was published.</summary>
internal sealed record HostProcess(ProcessStatus Status, double? CpuSeconds, long? MemoryBytes);
