using Firn.GenericHost.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Firn;

/// <summary>Health checks of a Firn application's child processes.</summary>
public static class FirnHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per child process the main process supervises, named <paramref name="namePrefix"/> followed by
    /// the child's name: Healthy while it runs, Degraded while it starts, stops or waits to be restarted (or was stopped on
    /// request), <paramref name="failureStatus"/> once the supervisor gave up on it (see docs/health-checks.md for the table
    /// and the data). The checks read the <see cref="FirnApp"/> registered in the container (AddFirn registers it) when
    /// the health check service is first resolved, so every child must be declared by then. In a child process
    /// (<see cref="FirnApp.Supervisor"/> is <see langword="null"/>) no check is added.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="namePrefix">Put before each child's name to form its check's name.</param>
    /// <param name="failureStatus">The status of a child that failed; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags of every check added, for filtering (for example in <c>MapHealthChecks</c>' predicate).</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddFirnProcesses(
        this IHealthChecksBuilder builder,
        string namePrefix = "firn:",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(namePrefix);
        var settings = new ProcessChecksSettings(namePrefix, failureStatus, [.. tags ?? []]);
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(services => new ProcessChecksSetup(services, settings));
        return builder;
    }
}
