using Firn.Channels;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Channels;

/// <summary>Registering, looking up and listing channels, from the main process and from real children.</summary>
public sealed class ChannelRegistryTests
{
    [Fact]
    public async Task The_listing_shows_types_members_modes_counts_and_closed_flags_the_same_from_main_and_from_a_child()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("lister", ["registry-member", "ls"])));
        Assert.Equal("ready", await app.NextReportAsync("lister"));

        app.GetChannel<int>("ls-active");
        var held = app.GetChannel<int>("ls-held");
        held.Send(1);
        held.Send(2);
        var queued = app.GetChannel<int>("ls-queued");
        for (var i = 0; i < 3; i++)
        {
            queued.Send(i);
        }

        app.GetChannel<string>("ls-closed").Close();

        // The child attached before it reported "ready", so the router delivered "ls-held" to it at once; it never consumes.
        var expected = string.Join(
            '\n',
            "ls-active|System.Int32|lister:Active,main:None|0|0|False",
            "ls-closed|System.String|main:None|0|0|True",
            "ls-held|System.Int32|lister:Active,main:None|0|2|False",
            "ls-passive|System.String|lister:Passive|0|0|False",
            "ls-queued|System.Int32|main:None|3|0|False",
            "ls-sendonly|System.Int64|lister:None|0|0|False");
        Assert.Equal(expected, ChannelListing.Format(app.Supervisor!.GetChannels(), "ls"));
        Assert.Equal(expected, ChannelListing.Format(await app.GetChannelsAsync(), "ls"));

        app.GetChannel<object?>("lister-active").Send("list");
        Assert.Equal(expected, await app.NextReportAsync("lister"));
    }

    [Fact]
    public async Task A_listing_over_the_message_size_limit_fails_clearly_in_the_child_and_the_connection_keeps_working()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, new FirnAppOptions { MaxMessageSize = 1024 }, ("lister", ["registry-member", "big"])));
        Assert.Equal("ready", await app.NextReportAsync("lister"));
        for (var i = 0; i < 40; i++)
        {
            app.GetChannel<int>($"big-bulk-channel-with-a-long-name-{i:D3}");
        }

        var command = app.GetChannel<object?>("lister-active");
        command.Send("list");
        var error = await app.NextReportAsync("lister");

        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("over the message size limit of 1024 bytes", error, StringComparison.Ordinal);
        Assert.Contains("FirnAppOptions.MaxMessageSize", error, StringComparison.Ordinal);
        Assert.True(app.Supervisor!.GetChannels().Count > 40);
        command.Send("list");
        Assert.Equal(error, await app.NextReportAsync("lister"));
        Assert.Equal(ProcessState.Running, app.Supervisor!.GetProcess("lister").State);
    }

    [Fact]
    public async Task RegisterChannel_before_start_and_in_a_child_fixes_the_type_and_TryGetChannel_never_creates()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, ("registrar", ["registry-register"]));
        var registered = app.GetChannel<int>("pre-registered");
        Assert.Same(registered, app.GetChannel<int>("pre-registered"));
        Assert.Same(registered, app.GetChannel<int>("pre-registered"));
        var clash = Assert.Throws<ChannelTypeMismatchException>(() => app.GetChannel<string>("pre-registered"));
        AssertNamesBoth(clash.Message, "pre-registered", "System.Int32", "System.String");
        Assert.False(app.TryGetChannel<int>("not-yet", out var missing));
        Assert.Null(missing);
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("hit=True:pre-registered miss=False:True same=True", await app.NextReportAsync("registrar"));
        AssertNamesBoth(await app.NextReportAsync("registrar"), "pre-registered", "System.Int32", "System.String");
        AssertNamesBoth(await app.NextReportAsync("registrar"), "child-registered", "System.String", "System.Int32");
        AssertNamesBoth(await app.NextReportAsync("registrar"), "pre-registered", "System.Int32", "System.String");

        Assert.True(app.TryGetChannel<string>("child-registered", out var fromChild));
        Assert.Equal("child-registered", fromChild.Name);
        Assert.Throws<ChannelTypeMismatchException>(() => app.TryGetChannel<int>("child-registered", out _));
        Assert.False(app.TryGetChannel<int>("never-opened", out _));
        var names = app.Supervisor!.GetChannels().Select(c => c.Name).ToList();
        Assert.DoesNotContain("never-opened", names);
        Assert.DoesNotContain("not-yet", names);
        var child = Assert.Single(app.Supervisor!.GetChannels(), c => c.Name == "child-registered");
        Assert.Equal("System.String", child.TypeName);
        Assert.Equal(["main", "registrar"], child.Members.Select(m => m.ProcessName));
    }

    private static void AssertNamesBoth(string message, string channel, string first, string second)
    {
        Assert.Contains($"'{channel}'", message, StringComparison.Ordinal);
        Assert.Contains(first, message, StringComparison.Ordinal);
        Assert.Contains(second, message, StringComparison.Ordinal);
    }
}
