using System.Diagnostics;
using System.Globalization;

namespace Firn.Soak;

/// <summary>The main process's side of the soak: it sends work, checks acknowledged writes, calls the children, publishes ticks, kills children at random and reports its own health.</summary>
internal sealed class SoakTraffic(FirnApp app, SoakLedger ledger, SoakSettings settings) : IDisposable
{
    private readonly CancellationTokenSource _stop = new(settings.Duration);

    public async Task RunAsync()
    {
        app.GetChannel<long>("done").OnReceive(ledger.Seen);
        app.GetChannel<string>("ticks").OnReceive(ledger.TicksReported);
        app.GetChannel<string>("acknowledged").OnReceive(key =>
        {
            ledger.StoreChecked(app.SharedMemory.TryGet<long>(key, out _));
            app.SharedMemory.Delete(key);
        });

        var token = _stop.Token;
        await Task.WhenAll(
            Loop(SendWorkAsync, token),
            Loop(CallChildrenAsync, token),
            Loop(PublishAsync, token),
            Loop(KillAsync, token),
            Loop(ReportAsync, token));

        // Drain: everything sent must come back, however long the last restart takes.
        var deadline = Stopwatch.StartNew();
        while (ledger.Distinct < ledger.Sent && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
        }

        // Every announced write was checked and deleted; a write of an instance that is gone and still in the store was
        // applied but never announced (the running instances' latest notices may still be on their way).
        var running = app.GetProcesses().Select(p => p.ProcessId?.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        ledger.CountUnannounced(app.SharedMemory.Keys.Count(key => key.Split(':') is ["soak", _, var pid, _] && !running.Contains(pid)));
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
        catch (Rpc.RpcException)
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

    private async Task KillAsync(CancellationToken token)
    {
        await Task.Delay(settings.KillEvery, token);
        var victim = app.GetProcess($"worker-{Random.Shared.Next(settings.Children)}");
        if (victim.ProcessId is { } pid)
        {
            Process.GetProcessById(pid).Kill();
            ledger.CountKill();
        }
    }

    private async Task ReportAsync(CancellationToken token)
    {
        await Task.Delay(TimeSpan.FromSeconds(10), token);
        var status = File.ReadAllLines("/proc/self/status");
        string Field(string name) => status.First(l => l.StartsWith(name, StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{DateTime.Now:HH:mm:ss}] main RSS {Field("VmRSS")}, fds {Directory.GetFiles("/proc/self/fd").Length}, threads {Field("Threads")}; {ledger.Line()}"));
    }
}
