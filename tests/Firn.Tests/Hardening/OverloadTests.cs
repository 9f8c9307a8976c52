using System.Diagnostics;
using Firn.Hosting;
using Firn.Rpc;
using Firn.Tests.Hosting;
using Firn.Tests.Support;
using Firn.Transport;

namespace Firn.Tests.Hardening;

/// <summary>A process that stops reading (SIGSTOP) costs the main process at most its connection buffer, and slows nobody else.</summary>
public sealed class OverloadTests
{
    private const int BufferLimit = 8 * 1024 * 1024;

    [Fact]
    public async Task A_stopped_subscriber_is_skipped_past_its_congestion_limit_while_a_healthy_one_gets_everything()
    {
        const int publications = 400;
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["count-subscribe", "load", "1000000"]), ("healthy", ["count-subscribe", "load", publications.ToString()]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        Assert.Equal("ready", await app.NextReportAsync("healthy"));
        var frozenPid = app.GetProcess("frozen").ProcessId!.Value;
        Assert.Equal(0, NativeMethods.kill(frozenPid, NativeMethods.SIGSTOP));
        try
        {
            var data = new string('x', 64 * 1024);
            for (var i = 0; i < publications; i++)
            {
                // Publishing never waits for subscribers; pace it by the healthy child, which keeps up, so only the frozen one falls behind.
                await TestApps.UntilAsync(() => app.BufferedBytesFor("healthy") < BufferLimit / 8, "the healthy child keeps up");
                app.SharedMemory.Publish("load", data);
                Assert.True(app.BufferedBytesFor("frozen") <= BufferLimit, "the frozen child's buffer went past its limit");
            }

            Assert.Equal($"count:{publications}", await app.NextReportAsync("healthy"));
            Assert.True(app.BufferedBytesFor("frozen") <= BufferLimit / 4 + (64 * 1024) + 1024, $"{app.BufferedBytesFor("frozen")} bytes wait for the frozen child");
            Assert.True(log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "frozen"), "the skipped publications were not logged");
        }
        finally
        {
            Process.GetProcessById(frozenPid).Kill();
        }
    }

    [Fact]
    public async Task Calls_to_a_stopped_process_are_refused_once_its_buffer_is_congested_and_main_holds_no_more()
    {
        var log = new TestLog();
        var app = TestApps.Create(log, Options(), ("frozen", ["rpc-serve"]));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("frozen"));
        var pid = app.GetProcess("frozen").ProcessId!.Value;
        Assert.Equal(0, NativeMethods.kill(pid, NativeMethods.SIGSTOP));
        try
        {
            var megabyte = new string('y', 1024 * 1024);
            var queued = new List<Task<string>>();
            RpcException? refused = null;
            for (var i = 0; i < 3 * BufferLimit / megabyte.Length && refused is null; i++)
            {
                var call = app.Rpc.CallAsync<string>("frozen.echo", [megabyte], TimeSpan.FromSeconds(2));
                if (call.IsFaulted && call.Exception!.InnerException is RpcException error)
                {
                    refused = error;
                }
                else
                {
                    queued.Add(call);
                }
            }

            Assert.NotNull(refused);
            Assert.Contains("Process 'frozen' is not reading its connection fast enough", refused.Message, StringComparison.Ordinal);
            Assert.InRange(queued.Count, 1, (BufferLimit / 4 / megabyte.Length) + 1);
            Assert.True(app.BufferedBytesFor("frozen") <= (BufferLimit / 4) + megabyte.Length + 1024, $"{app.BufferedBytesFor("frozen")} bytes wait for the frozen child");
            foreach (var call in queued)
            {
                await Assert.ThrowsAsync<TimeoutException>(() => call);
            }
        }
        finally
        {
            Process.GetProcessById(pid).Kill();
        }
    }

    private static FirnAppOptions Options() => new()
    {
        ConnectionBufferLimit = BufferLimit,
        MaxMessageSize = 2 * 1024 * 1024,
        HeartbeatTimeout = Timeout.InfiniteTimeSpan,
    };
}
