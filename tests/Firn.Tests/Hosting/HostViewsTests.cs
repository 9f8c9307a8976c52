using Firn.Hosting;

namespace Firn.Tests.Hosting;

/// <summary>How the supervisor's and the admin socket's lists merge this host's children and channels with the other hosts'.</summary>
public sealed class HostViewsTests
{
    [Fact]
    public void Without_a_registry_the_local_lists_are_returned_as_they_are()
    {
        IReadOnlyList<ProcessStatus> processes = [new("worker", ProcessState.Running, 10, 0, TimeSpan.FromSeconds(1), null)];
        IReadOnlyList<ChannelInfo> channels = [new("jobs", "System.Int32", [new("worker", ReceiveMode.Active)], 1, 0, false)];

        Assert.Same(processes, HostViews.Processes(processes, registry: null));
        Assert.Same(channels, HostViews.Channels(channels, registry: null));
        Assert.Empty(HostViews.HostsOf("worker", registry: null));
    }

    [Fact]
    public void Local_entries_come_first_labelled_and_channels_merge_by_name()
    {
        var registry = new Registry("east", new HostView(
            "west",
            [new HostProcess(new ProcessStatus("worker", ProcessState.Backoff, null, 2, null, 1) { Host = "west" }, null, null)],
            [
                new ChannelInfo("jobs", "System.Int32", [new("worker", ReceiveMode.Active) { Host = "west" }, new("west", ReceiveMode.None) { Host = "west" }], 3, 4, true),
                new ChannelInfo("only-west", "System.String", [new("west", ReceiveMode.None) { Host = "west" }], 0, 0, false),
            ]));
        IReadOnlyList<ProcessStatus> processes = [new("worker", ProcessState.Running, 10, 0, TimeSpan.FromSeconds(1), null)];
        IReadOnlyList<ChannelInfo> channels = [new("jobs", "System.Int32", [new("worker", ReceiveMode.Passive)], 1, 2, false)];

        Assert.Equal(["worker@east:Running", "worker@west:Backoff"], HostViews.Processes(processes, registry).Select(p => $"{p.Name}@{p.Host}:{p.State}"));

        var merged = HostViews.Channels(channels, registry);
        Assert.Equal(["jobs", "only-west"], merged.Select(c => c.Name));
        var jobs = merged[0];
        Assert.Equal(["west@west:None", "worker@east:Passive", "worker@west:Active"], jobs.Members.Select(m => $"{m.ProcessName}@{m.Host}:{m.Mode}"));
        Assert.Equal((4, 6, true), (jobs.Queued, jobs.Unconsumed, jobs.IsClosed));
        Assert.Equal(["west"], HostViews.HostsOf("worker", registry));
        Assert.Contains("'west'", HostViews.OnOtherHost("worker", ["west"], "east"), StringComparison.Ordinal);
    }

    private sealed class Registry(string hostName, params HostView[] others) : IProcessRegistry
    {
        public string HostName => hostName;

        public void Publish(Func<HostView> view)
        {
        }

        public void Changed()
        {
        }

        public IReadOnlyList<HostView> OtherHosts() => others;
    }
}
