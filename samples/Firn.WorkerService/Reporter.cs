namespace Firn.WorkerService;

/// <summary>The main process's own service: logs how many jobs the worker has done, every two seconds.</summary>
internal sealed class Reporter(SharedMemory store, FirnSupervisor supervisor, ILogger<Reporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var done = await store.GetAsync(Job.DoneKey, 0L, stoppingToken).ConfigureAwait(false);
            var states = string.Join(", ", supervisor.GetProcesses().Select(p => $"{p.Name} {p.State}"));
            logger.LogInformation("Jobs done: {Done} ({States})", done, states);
        }
    }
}
