using System.Collections.Concurrent;

namespace Firn.Hosting;

/// <summary>
/// Runs every child spawn on one dedicated thread that lives as long as the process.
/// </summary>
/// <remarks>
/// .NET forks a child from the thread that calls <c>Process.Start</c>, and Linux sends the child's parent-death
/// signal (<c>PR_SET_PDEATHSIG</c>) when that <em>thread</em> exits, not when the process does. A child spawned
/// from a thread-pool or short-lived thread would be signalled as soon as that thread retires. Spawning from this
/// thread, which never exits, ties the signal to the death of the main process itself.
/// </remarks>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<Action> Work = [];
    private static readonly Lazy<Thread> SpawnerThread = new(StartThread);
    private static readonly Lock CountLock = new();
    private static readonly List<(long Through, TaskCompletionSource Done)> Waiters = [];
    private static long s_queued;
    private static long s_finished;

    /// <summary>The managed id of the spawner thread, for tests.</summary>
    public static int ThreadId => SpawnerThread.Value.ManagedThreadId;

    /// <summary>Runs <paramref name="spawn"/> on the spawner thread; it must be quick (a <c>Process.Start</c> and bookkeeping).</summary>
    public static Task<T> RunAsync<T>(Func<T> spawn)
    {
        _ = SpawnerThread.Value;
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (CountLock)
        {
            // Counted before the item is queued, so a spawn is in flight from before its fork until after it returned.
            s_queued++;
            Work.Add(() =>
            {
                try
                {
                    result.SetResult(spawn());
                }
#pragma warning disable CA1031 // The failure belongs to the caller: it is handed over, not swallowed.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    result.SetException(ex);
                }
                finally
                {
                    OnFinished();
                }
            });
        }

        return result.Task;
    }

    /// <summary>
    /// Completes once every spawn queued before this call has returned (at once if none is in flight). A process
    /// that was forked before this call therefore had its pid recorded by the time this completes.
    /// </summary>
    public static Task WhenQueuedSpawnsFinished()
    {
        lock (CountLock)
        {
            if (s_finished == s_queued)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Waiters.Add((s_queued, done));
            return done.Task;
        }
    }

    private static void OnFinished()
    {
        lock (CountLock)
        {
            // One thread runs the items in queue order, so finishing item n means every earlier one finished too.
            s_finished++;
            for (var i = Waiters.Count - 1; i >= 0; i--)
            {
                if (Waiters[i].Through <= s_finished)
                {
                    Waiters[i].Done.SetResult();
                    Waiters.RemoveAt(i);
                }
            }
        }
    }

    private static Thread StartThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var spawn in Work.GetConsumingEnumerable())
            {
                spawn();
            }
        })
        {
            IsBackground = true,
            Name = "Firn process spawner",
        };
        thread.Start();
        return thread;
    }
}
