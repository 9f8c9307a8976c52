using Microsoft.Extensions.Options;

namespace Firn.WorkerService;

/// <summary>The child "producer": sends a job every <see cref="ProducerSettings.Interval"/> until it is stopped.</summary>
internal sealed class Producer(ILogger<Producer> logger, IOptions<ProducerSettings> settings) : IFirnProcess
{
    public async Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken)
    {
        var jobs = context.App.GetChannel<Job>(Job.Channel);
        using var timer = new PeriodicTimer(settings.Value.Interval);
        for (var id = 1L; await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false); id++)
        {
            await jobs.SendAsync(new Job(id, $"job {id}"), stoppingToken).ConfigureAwait(false);
            logger.LogDebug("Sent job {Id}", id);
        }
    }
}

/// <summary>The producer's settings (section "Producer" of appsettings.json).</summary>
internal sealed class ProducerSettings
{
    /// <summary>How often a job is sent.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(200);
}
