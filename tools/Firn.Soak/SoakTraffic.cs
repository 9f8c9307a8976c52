using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Firn.Soak;

/// <summary>
/// The main process's side of the soak: it sends work, checks acknowledged writes, calls the children, publishes ticks,
/// disrupts children at random (SIGKILL; with --chaos also SIGSTOP/SIGCONT and requested restarts) and reports its own health.
/// </summary>
internal sealed partial class SoakTraffic(FirnApp app, SoakLedger ledger, SoakSettings settings) : IDisposable
{
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;
    private readonly CancellationTokenSource _stop = new(settings.Duration);
    private readonly Random _random = new(settings.Seed);

    /// <summary>The main process's health before the traffic began.</summary>
    public SoakHealth Baseline { get; private set; }

    /// <summary>The main process's health once the traffic ended and everything settled (see <see cref="SettleAsync"/>).</summary>
    public SoakHealth Final { get; private set; }

    public async Task RunAsync()
    {
        app.GetChannel<long>("done").OnReceive(ledger.Seen);
        app.GetChannel<string>("ticks").OnReceive(ledger.TicksReported);
        app.GetChannel<string>("acknowledged").OnReceive(key =>
        {
            ledger.StoreChecked(app.SharedMemory.TryGet<long>(key, out _));
            app.SharedMemory.Delete(key);
        });

        Baseline = SoakHealth.Now();
        var token = _stop.Token;
        await Task.WhenAll(
            Loop(SendWorkAsync, token),
            Loop(CallChildrenAsync, token),
            Loop(PublishAsync, token),
            Loop(DisruptAsync, token),
            Loop(ReportAsync, token));

        // Drain: everything sent must come back, however long the last restart takes.
        var deadline = Stopwatch.StartNew();
        while (ledger.Distinct < ledger.Sent && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
        }

        // Every announced write was checked and deleted; a write of an instance that is gone and still in the store was
        // applied but never announced (the running instances' latest notices may still be on their way).
        var running = app.Supervisor!.GetProcesses().Select(p => p.ProcessId?.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        ledger.CountUnannounced(app.SharedMemory.Keys.Count(key => key.Split(':') is ["soak", _, var pid, _] && !running.Contains(pid)));
    }

    /// <summary>
    /// After the traffic: waits (up to a minute) until every worker runs again and the main process's descriptors,
    /// threads and memory are back within <see cref="SoakHealth"/>'s slack of <see cref="Baseline"/>, without forcing a
    /// garbage collection (a descriptor that only a collection would release counts as leaked). Returns whether they are.
    /// </summary>
    public async Task<bool> SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            Final = SoakHealth.Now();
            var running = app.Supervisor!.GetProcesses().All(p => p.State == ProcessState.Running);
            if (running && Final.IsBackTo(Baseline))
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(250);
        }
    }

    public void Dispose() => _stop.Dispose();

    private static async Task Loop(Func<CancellationToken, Task> body, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await body(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task SendWorkAsync(CancellationToken token)
    {
        var work = app.GetChannel<long>("work");
        for (var i = 0; i < 1000; i++)
        {
            await work.SendAsync(ledger.Sent, token);
            ledger.CountSent();
        }

        await Task.Yield();
    }

    private async Task CallChildrenAsync(CancellationToken token)
    {
        var child = $"worker-{Random.Shared.Next(settings.Children)}";
        try
        {
            var sum = await app.Rpc.CallAsync<long>($"{child}.add", [20L, 22L], TimeSpan.FromSeconds(10), token);
            ledger.CallEnded(sum == 42);
        }
        catch (RpcException)
        {
            // A child being killed or restarted: expected in a soak, counted.
            ledger.CallEnded(false);
        }

        await Task.Delay(1, token);
    }

    private async Task PublishAsync(CancellationToken token)
    {
        app.SharedMemory.Publish("tick", ledger.NextPublication());
        await Task.Delay(10, token);
    }

    private async Task DisruptAsync(CancellationToken token)
    {
        await Task.Delay(settings.KillEvery, token);
        var name = $"worker-{_random.Next(settings.Children)}";
        if (app.Supervisor!.GetProcess(name).ProcessId is not { } pid)
        {
            return;
        }

        switch (settings.Chaos ? _random.Next(3) : 0)
        {
            case 0:
                _ = kill(pid, 9);
                ledger.CountKill();
                break;
            case 1:
                // Shorter than the heartbeat timeout: the child must come back as it was, not be killed as unresponsive.
                _ = kill(pid, SIGSTOP);
                await Task.Delay(_random.Next(200, 2000), CancellationToken.None);
                _ = kill(pid, SIGCONT);
                ledger.CountPause();
                break;
            default:
                await app.Supervisor!.RestartProcessAsync(name, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
                ledger.CountRestart();
                break;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private async Task ReportAsync(CancellationToken token)
    {
        await Task.Delay(TimeSpan.FromSeconds(10), token);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] main {SoakHealth.Now()}; {ledger.Line()}"));
    }
}
