namespace Firn;

/// <summary>
/// A child process's entry under the Generic Host, declared with
/// <see cref="FirnBuilder.AddProcess{TProcess}(string, ProcessOptions?, Action{Microsoft.Extensions.DependencyInjection.IServiceCollection}?)"/>.
/// It is resolved from that child's own container (so its constructor may take that child's services), and only in
/// that child: the main process never creates it.
/// </summary>
public interface IFirnProcess
{
    /// <summary>
    /// Runs the child's work. It starts once the host has started (the main process counts the child as running
    /// before it is called); when it returns, the child's host stops.
    /// </summary>
    /// <param name="context">The child's context: its name, built-in channels, logger and requests to the main process.</param>
    /// <param name="stoppingToken">Fires when the child is asked to stop (by the main process, SIGTERM, its own host, or the main process's death); return soon after.</param>
    /// <returns>Completes when the child's work is done.</returns>
    Task RunAsync(FirnProcessContext context, CancellationToken stoppingToken);
}
