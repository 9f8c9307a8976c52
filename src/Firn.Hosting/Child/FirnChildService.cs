using Firn.Hosting;
using Microsoft.Extensions.Hosting;

namespace Firn.GenericHost.Child;

/// <summary>
/// A child's Firn under the Generic Host. It is the first hosted service, so it stops last. At <c>ApplicationStarted</c>
/// it tells the main process the child is ready and starts the entry (in that order, as a plain child does); when the
/// entry returns the host stops. When the host stops, it waits for the entry first (in <see cref="StoppingAsync"/>,
/// before any service's <c>StopAsync</c>), then, after every other service has stopped, drains the channels and RPC
/// and closes the connection; the process's exit code follows the plain child's rules.
/// </summary>
internal sealed class FirnChildService(FirnApp app, IHostApplicationLifetime lifetime) : IHostedLifecycleService
{
    private CancellationTokenRegistration _started;
    private Task<int>? _entry;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(OnStarted);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        app.RequestLocalStop();
        if (Volatile.Read(ref _entry) is { } entry)
        {
            await entry.ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!app.IsChildConnected)
        {
            return;
        }

        var entry = Volatile.Read(ref _entry);
        var exitCode = await app.CloseChildAsync(entry is null ? ChildExitCodes.Success : await entry.ConfigureAwait(false)).ConfigureAwait(false);
        if (exitCode != ChildExitCodes.Success)
        {
            Environment.ExitCode = exitCode;
        }
    }

    private void OnStarted()
    {
        if (!app.IsChildConnected || app.Stopping.IsCancellationRequested)
        {
            return;
        }

        app.SignalReadyUnlessWaiting();
        var entry = app.WaitForEntryAsync(app.StartEntry());
        Volatile.Write(ref _entry, entry);
        _ = entry.ContinueWith(_ => lifetime.StopApplication(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
