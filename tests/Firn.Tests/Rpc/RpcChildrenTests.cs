using System.Diagnostics;
using Firn.Tests.Support;

namespace Firn.Tests.Rpc;

/// <summary>
/// Calls that need more than the contract's two processes (see Contracts/Rpc): a handler's process killed or restarted
/// mid-call, a caller killed mid-call, and calls from one real child to another through the main process.
/// </summary>
public sealed class RpcChildrenTests
{
    /// <summary>
    /// How soon calls to a process that died or stopped must fail: generous for a loaded 2-core machine, yet far below
    /// the heartbeat timeout (10 s), so a failure found only by the heartbeat would not pass.
    /// </summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_call_to_a_killed_process_fails_promptly_naming_it_and_its_methods_are_gone()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var calls = Enumerable.Range(0, 10).Select(_ => app.Rpc.CallAsync("calc.slow", [], Timeout.InfiniteTimeSpan)).ToArray();
        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal("slow-started", await app.NextReportAsync("calc"));
        }

        var watch = Stopwatch.StartNew();
        Process.GetProcessById(app.Supervisor!.GetProcess("calc").ProcessId!.Value).Kill();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcProcessExitedException>(() => call.WaitAsync(TestApps.Timeout));
            Assert.Equal("calc", error.ProcessName);
            Assert.Contains("Process 'calc' exited", error.Message, StringComparison.Ordinal);
        }

        var elapsed = watch.Elapsed;
        Console.WriteLine($"calls to the killed child failed after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(elapsed < Promptly, $"calls to the killed child failed only after {elapsed}; they must fail within {Promptly}, well before the heartbeat timeout");
        await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => app.Rpc.CallAsync<int>("calc.add", 1, 2));
        Assert.Equal(0, app.RpcTable.Count);
    }

    [Fact]
    public async Task A_restarting_handler_fails_its_calls_then_serves_again()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var firstPid = await app.Rpc.CallAsync<int>("calc.pid");
        var call = app.Rpc.CallAsync("calc.slow", [], Timeout.InfiniteTimeSpan);
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));

        var watch = Stopwatch.StartNew();
        var restart = app.Supervisor!.RestartProcessAsync("calc");

        // A graceful stop cancels the handler (its token follows the process's); the caller learns that the process stopped.
        var error = await Assert.ThrowsAsync<RpcProcessExitedException>(() => call.WaitAsync(TestApps.Timeout));
        var elapsed = watch.Elapsed;
        Assert.True(elapsed < Promptly, $"the call to the restarting child failed only after {elapsed}; it must fail within {Promptly}");
        Assert.Equal("calc", error.ProcessName);
        Assert.Contains("Process 'calc' stopped while handling the call to 'calc.slow'", error.Message, StringComparison.Ordinal);
        await restart.WaitAsync(TestApps.Timeout);
        await TestApps.UntilAsync(() => app.RpcTable.Methods.ContainsKey("calc.pid"), "the new instance registered again");
        Assert.NotEqual(firstPid, await app.Rpc.CallAsync<int>("calc.pid"));
    }

    [Fact]
    public async Task Ten_thousand_concurrent_calls_from_one_child_to_another_each_get_their_own_result()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("flooder", TestApps.Child("rpc-flood", "calc.add", "10000"));
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("flood:10000:0", await app.NextReportAsync("flooder"));
    }

    [Fact]
    public async Task A_handler_called_by_another_child_is_told_that_childs_name()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("alice", TestApps.Child("rpc-call-text", "calc.caller"));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        // The call went child to child through the main process, which names the caller by alice's connection.
        Assert.Equal("result:alice", await app.NextReportAsync("alice"));
    }

    [Fact]
    public async Task A_main_process_name_at_its_longest_travels_as_the_callers_name()
    {
        // 256 UTF-16 code units, astral characters included (each is two).
        var name = string.Concat(Enumerable.Repeat("m\u00e9\U0001F600", 64));
        Assert.Equal(FirnAppOptions.MaxMainProcessNameLength, name.Length);
        var log = new TestLog();
        var app = TestApps.Create(log, new FirnAppOptions { MainProcessName = name });
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));

        Assert.Equal(name, await app.Rpc.CallAsync<string>("calc.caller"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("del\u007f")]
    [InlineData("c1\u0085")]
    public void A_main_process_name_that_is_empty_or_has_a_control_character_is_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>("value", () => new FirnAppOptions { MainProcessName = name });

        Assert.Contains("The main process's name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_main_process_name_one_character_past_the_longest_is_refused()
    {
        var error = Assert.Throws<ArgumentException>("value", () => new FirnAppOptions { MainProcessName = new string('m', FirnAppOptions.MaxMainProcessNameLength + 1) });

        Assert.StartsWith("The main process's name has 1 to 256 characters; got 257.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_a_caller_is_killed_its_call_is_cancelled_in_the_handlers_process()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("caller", TestApps.Child("rpc-call-and-hang", "calc.slow"));
        await using var started = await TestApps.StartAsync(app);
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        Assert.Equal("calling", await app.NextReportAsync("caller"));
        Assert.Equal("slow-started", await app.NextReportAsync("calc"));

        Process.GetProcessById(app.Supervisor!.GetProcess("caller").ProcessId!.Value).Kill();

        Assert.Equal("slow-cancelled", await app.NextReportAsync("calc"));
        await TestApps.UntilAsync(() => app.RpcTable.Count == 0, "the table forgot the call");
    }
}
