namespace Firn.WorkerService;

/// <summary>The child "worker": takes jobs off the channel, one at a time, and hands each to its <see cref="JobHandler"/>.</summary>
internal sealed class Worker(JobHandler handler) : IFirnProcess
{
    public async Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken)
    {
        var jobs = context.App.GetChannel<Job>(Job.Channel);
        while (!stoppingToken.IsCancellationRequested)
        {
            Job job;
            try
            {
                job = await jobs.ReceiveAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await handler.HandleAsync(job, stoppingToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Does one job; registered only in the worker's process.</summary>
internal sealed class JobHandler(SharedMemory store, ILogger<JobHandler> logger)
{
    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var done = await store.IncrementAsync(Job.DoneKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Did {Text} ({Done} done)", job.Text, done);
    }
}
