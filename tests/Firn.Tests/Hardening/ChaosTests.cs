using System.Diagnostics;
using Firn.Hosting;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Xunit.Abstractions;

namespace Firn.Tests.Hardening;

/// <summary>Nothing lost: a stream of numbered messages while its receiver is killed again and again.</summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_one_of_100000_messages_arrives_at_least_once_while_the_receiver_is_SIGKILLed_five_times()
    {
        const int total = 100_000;
        const int kills = 5;
        using var log = new CategoryLog();
        await using var app = SupervisedApps.Create(
            log.Factory,
            ("sink", SupervisedApps.Child(["chaos-sink", "chaos", "chaos-seen"], RestartPolicy.Permanent, maxRestarts: 2 * kills)));
        var seen = new int[total];
        var distinct = 0;
        app.GetChannel<int>("chaos-seen").OnReceive(number =>
        {
            if (Interlocked.Increment(ref seen[number]) == 1)
            {
                Interlocked.Increment(ref distinct);
            }
        });
        await app.Supervisor!.StartAsync().WaitAsync(TestApps.Timeout);
        Assert.StartsWith("pid=", await app.NextReportAsync("sink"), StringComparison.Ordinal);
        var input = app.GetChannel<int>("chaos");

        // A number counts as sent once SendAsync returns; the sender waits whenever the channel's window is full.
        var sender = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await input.SendAsync(i);
            }
        });

        for (var k = 1; k <= kills; k++)
        {
            // Kill at points spread over the stream, whenever it gets there; each new instance reports its pid.
            var threshold = k * total / (kills + 1);
            await TestApps.UntilAsync(() => Volatile.Read(ref distinct) >= threshold, $"{threshold} numbers arrived");
            var pid = app.Supervisor!.GetProcess("sink").ProcessId!.Value;
            Process.GetProcessById(pid).Kill();
            Assert.StartsWith("pid=", await app.NextReportAsync("sink"), StringComparison.Ordinal);
        }

        await sender.WaitAsync(TestApps.Timeout);
        await TestApps.UntilAsync(() => Volatile.Read(ref distinct) == total, "every number arrived");

        var duplicates = seen.Sum(count => count - 1);
        output.WriteLine($"{total} numbers, {kills} kills of the receiver: {duplicates} duplicates, none lost");
        Assert.All(seen, count => Assert.True(count >= 1));

        // Only what the killed instance held unacknowledged comes again: at most its receive window per kill.
        Assert.InRange(duplicates, 0, kills * new ChannelOptions().ReceiveBufferSize);
        Assert.Equal(kills, app.Supervisor!.GetProcess("sink").Restarts);
    }
}
