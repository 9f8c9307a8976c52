using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Firn.GenericHost.Main;

/// <summary>
/// The main process's Firn under the Generic Host. It is the first hosted service, so it stops last: the store, the
/// channels and RPC outlive every other service's stop. It starts the children in <see cref="StartedAsync"/> (after
/// every hosted service's <c>StartAsync</c>, so the handlers they register are in place, and before
/// <c>ApplicationStarted</c>), and stops them in <see cref="StopAsync"/>.
/// </summary>
internal sealed class FirnMainService(FirnApp app, IHostApplicationLifetime lifetime, IOptions<HostOptions> hostOptions) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        ShutdownBudget.Check(app, hostOptions.Value);

        // A stop asked for inside Firn (a child's request, a child that failed with StopApplicationOnFailure) stops the
        // host, whose stop then stops Firn. Firn's own stop completes it too, when the host is already stopping.
        _ = app.StopRequested.ContinueWith(_ => lifetime.StopApplication(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || app.Stopping.IsCancellationRequested)
        {
            // Stopped while starting: the host's stop (which follows) stops the children already running.
        }
        catch
        {
            // The host does not stop what failed to start: stop the children already running before the failure surfaces.
            await app.StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await app.StopAsync().ConfigureAwait(false);
        if (app.FailedChild is not null && Environment.ExitCode == 0)
        {
            // As FirnApp.RunAsync returns 1 after a child's failure stopped the app.
            Environment.ExitCode = 1;
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
