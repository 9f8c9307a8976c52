using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Firn.GenericHost.Health;

/// <summary>What one <c>AddFirnProcesses</c> call asked for.</summary>
internal sealed record ProcessChecksSettings(string NamePrefix, HealthStatus? FailureStatus, IReadOnlyList<string> Tags);

/// <summary>
/// Registers the child checks when the health check options are built: the children are declared on the app, which
/// exists only once the container does, so the registrations cannot be made when <c>AddFirnProcesses</c> is called.
/// </summary>
internal sealed class ProcessChecksSetup(IServiceProvider services, ProcessChecksSettings settings) : IConfigureOptions<HealthCheckServiceOptions>
{
    public void Configure(HealthCheckServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = services.GetService<FirnApp>() ?? throw new InvalidOperationException(
            "AddFirnProcesses needs the FirnApp in the service container: call AddFirn, or register the app (services.AddSingleton(app)).");

        // A child process supervises no one; its own health is the main process's business.
        if (app.Supervisor is null)
        {
            return;
        }

        foreach (var name in app.DeclaredProcessNames())
        {
            options.Registrations.Add(new HealthCheckRegistration(
                settings.NamePrefix + name, new ProcessHealthCheck(app, name), settings.FailureStatus, settings.Tags));
        }
    }
}
