using System.Collections.Concurrent;
using Firn.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Hosting;

/// <summary>Channels survive restarts: nothing sent while a child restarts, on its request or after a crash, is lost.</summary>
public sealed class RestartDeliveryTests
{
    [Theory]
    [InlineData("restart")]
    [InlineData("crash")]
    public async Task No_message_is_lost_while_a_child_restarts_and_a_sender_keeps_sending(string how)
    {
        var log = new CategoryLog();
        await using var app = SupervisedApps.Create(log.Factory, ("relay", SupervisedApps.Child(["echo-obey", "relay-in-" + how, "relay-out-" + how])));
        var states = new StateRecorder(app);
        await TestApps.StartAsync(app);
        var input = app.GetChannel<string>("relay-in-" + how);
        var output = app.GetChannel<string>("relay-out-" + how);
        var pid = SupervisedApps.Pid(await app.NextReportAsync("relay"));

        // Every echo is collected as it comes: a message arrives at least once (one consumed as the old instance went
        // away may come twice).
        var seen = new ConcurrentDictionary<string, bool>();
        output.OnReceive(message => seen[message] = true);

        // Keep sending before, during and after the restart; the trigger goes out in the middle of the stream.
        var sent = new List<string>();
        async Task SendAsync(string message)
        {
            await input.SendAsync(message);
            sent.Add(message);
        }

        for (var i = 0; i < 200; i++)
        {
            await SendAsync("before-" + i);
        }

        await SendAsync($"{how}:{pid}");
        var during = 0;
        while (states.For("relay").Count(c => c.State == ProcessState.Running) < 2)
        {
            await SendAsync("during-" + during++);
        }

        for (var i = 0; i < 200; i++)
        {
            await SendAsync("after-" + i);
        }

        await TestApps.UntilAsync(() => sent.All(seen.ContainsKey), $"every message is echoed (missing {sent.Count(m => !seen.ContainsKey(m))} of {sent.Count})");
        Assert.NotEqual(pid, SupervisedApps.Pid(await app.NextReportAsync("relay")));
        Assert.Equal(1, app.Supervisor!.GetProcess("relay").Restarts);
    }
}
