using Microsoft.Extensions.Hosting;

namespace Firn.GenericHost.Child;

/// <summary>
/// A child's host lifetime, in place of the console's: it connects to the main process before any hosted service is
/// created; a stop from the main process, SIGTERM, or the main process's death stops the host; the host's own stop
/// fires the child's <see cref="FirnProcessContext.Stopping"/>. Ctrl+C is ignored: the main process decides how
/// children stop.
/// </summary>
internal sealed class FirnChildLifetime(FirnApp app, IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private CancellationTokenRegistration _firnStopping;
    private CancellationTokenRegistration _hostStopping;

    public async Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        if (await app.ConnectChildAsync(CancellationToken.None).ConfigureAwait(false) is { } exitCode)
        {
            // Logged already. Nothing has started and nothing would run: leave with the documented exit code rather
            // than fail the host's start with an exception (which would abort the process).
            Environment.Exit(exitCode);
        }

        _firnStopping = app.Stopping.UnsafeRegister(static state => ((IHostApplicationLifetime)state!).StopApplication(), lifetime);
        _hostStopping = lifetime.ApplicationStopping.UnsafeRegister(static state => ((FirnApp)state!).RequestLocalStop(), app);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _firnStopping.Dispose();
        _hostStopping.Dispose();
    }
}
