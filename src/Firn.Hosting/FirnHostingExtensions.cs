using Firn.Diagnostics;
using Firn.GenericHost.Child;
using Firn.GenericHost.Configuration;
using Firn.GenericHost.DependencyInjection;
using Firn.GenericHost.Main;
using Firn.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>Adds Firn to a .NET Generic Host.</summary>
public static class FirnHostingExtensions
{
    /// <summary>Adds Firn to the host being built; see <see cref="AddFirn(IServiceCollection, Action{FirnBuilder}?)"/>.</summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="configure">Declares the children and sets the options.</param>
    /// <returns>The app's builder (the same one on every call).</returns>
    public static FirnBuilder AddFirn(this IHostApplicationBuilder builder, Action<FirnBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddFirn(configure);
    }

    /// <summary>
    /// Adds Firn to a host's services. The main process and every child run the same program; whether this process
    /// is the main process or child X is read from the environment the main process gives its children (and the
    /// hidden handover it reads is consumed, so this is decided once per process). A second call registers nothing
    /// more: it runs <paramref name="configure"/> on the same builder.
    /// </summary>
    /// <remarks>
    /// <para>In every process: <see cref="FirnApp"/> (a singleton, logging to the host's <c>ILoggerFactory</c>),
    /// <see cref="SharedMemory"/>, <see cref="RpcEndpoint"/> and <see cref="EventBus"/> (a child's are usable once it has
    /// connected, which is before any hosted service is created).</para>
    /// <para>Main process only: <see cref="FirnSupervisor"/>, and a hosted service placed first (so it stops last and the
    /// store outlives every other service) that starts the children, in declaration order, after every hosted
    /// service's <c>StartAsync</c> and before <c>ApplicationStarted</c>, and stops them in reverse order when the host
    /// stops. A child's request to stop the application stops the host. Firn's stop bound
    /// (<see cref="FirnAppOptions.StopTimeout"/> + 2 s) must fit <c>HostOptions.ShutdownTimeout</c>, or start-up fails.</para>
    /// <para>Child only: <see cref="FirnProcessContext"/>, the child's entry and the services its declaration adds, a
    /// host lifetime in place of the console's (a stop from the main process, SIGTERM or the main process's death stop
    /// the host; Ctrl+C is left to the main process; <c>ApplicationStarted</c> tells the main process it is ready), and
    /// a hosted service placed first that runs the entry and, when the host stops, drains and closes the connection.</para>
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Declares the children and sets the options.</param>
    /// <returns>The app's builder (the same one on every call).</returns>
    public static FirnBuilder AddFirn(this IServiceCollection services, Action<FirnBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(FirnBuilder))?.ImplementationInstance is FirnBuilder existing)
        {
            configure?.Invoke(existing);
            return existing;
        }

        var child = ChildEnvironment.FromCurrentProcess();
        var builder = new FirnBuilder(services, child, FirnConfiguration.Register(services));
        services.AddSingleton(builder);
        services.AddSingleton(provider => FirnAppFactory.Create(provider, builder, child));
        services.AddSingleton(provider => provider.GetRequiredService<FirnApp>().SharedMemory);
        services.AddSingleton(provider => provider.GetRequiredService<FirnApp>().Rpc);
        services.AddSingleton(provider => provider.GetRequiredService<FirnApp>().Events);
        if (child is null)
        {
            services.AddSingleton(provider => provider.GetRequiredService<FirnApp>().Supervisor!);

            // Hosted services stop in reverse order: first in, Firn stops last.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, FirnMainService>());
        }
        else
        {
            services.AddSingleton(provider => provider.GetRequiredService<FirnApp>().ProcessContext);
            if (FirnLogFormat.PlainRequested)
            {
                // The main process forwards this child's standard output into its own log, which adds time, level and
                // the child's name: one line per entry, tagged with its level, keeps each entry whole and at its level.
                services.AddLogging(logging => logging
                    .AddConsole(FirnConsole.Configure)
                    .AddConsoleFormatter<FirnConsoleFormatter, FirnConsoleFormatterOptions>(format =>
                    {
                        format.ProcessName = child.ProcessName;
                        format.Plain = true;
                        format.IncludeCategory = true;
                    }));
            }

            services.RemoveAll<IHostLifetime>();
            services.AddSingleton<IHostLifetime, FirnChildLifetime>();
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, FirnChildService>());
        }

        configure?.Invoke(builder);
        return builder;
    }
}
