using System.Diagnostics.Metrics;
using Firn.GenericHost.Configuration;
using Firn.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Firn.GenericHost.DependencyInjection;

/// <summary>Creates the one <see cref="FirnApp"/> of a host from what its <see cref="FirnBuilder"/> collected.</summary>
internal static class FirnAppFactory
{
    /// <summary>
    /// Under a host the default stop bound is 25 s: with the 2 s grace past its deadline it fits the host's default
    /// <c>HostOptions.ShutdownTimeout</c> of 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(25);

    public static FirnApp Create(IServiceProvider services, FirnBuilder builder, ChildEnvironment? child)
    {
        var settings = services.GetRequiredService<IOptions<FirnSettings>>().Value;
        var options = AppOptions(services, builder, settings).ForHost(services.GetRequiredService<ILoggerFactory>(), services.GetService<IMeterFactory>());

        // The validator merged configuration over the code's options only when they were given as an instance: options
        // a factory makes exist only now, so their checks across settings are made here, naming the keys as it does.
        var problems = new List<string>();
        FirnSettingsValidator.CheckMerged(options, builder.Processes.Select(p => p.Name), FirnConfiguration.SectionName + ConfigurationPath.KeyDelimiter, problems);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(FirnSettings), problems);
        }

        var app = new FirnApp(options, () => child);
        foreach (var process in builder.Processes)
        {
            var processOptions = FirnConfiguration.ToProcessOptions(process.Name, FirnConfiguration.SettingsFor(settings, process.Name), process.Options);
            if (process.Entry is { } entry)
            {
                app.AddProcess(process.Name, entry(services), processOptions);
            }
            else
            {
                app.AddProcess(process.Name, processOptions);
            }
        }

        // Commands only configuration declares start after the code's children, in order of name.
        foreach (var (name, commandOptions) in FirnConfiguration.Commands(settings, builder.Processes.Select(p => p.Name)))
        {
            app.AddProcess(name, commandOptions);
        }

        return app;
    }

    /// <summary>
    /// The app's options, in every process: the <c>Firn</c> configuration section over what
    /// <see cref="FirnBuilder.UseOptions(FirnAppOptions)"/> gave, or over the defaults with <see cref="DefaultStopTimeout"/>.
    /// </summary>
    private static FirnAppOptions AppOptions(IServiceProvider services, FirnBuilder builder, FirnSettings settings)
    {
        var options = FirnConfiguration.ToAppOptions(settings, builder.OptionsFactory?.Invoke(services) ?? new FirnAppOptions { StopTimeout = DefaultStopTimeout });
        return builder.Backend is { } backend ? options.WithBackend(backend) : options;
    }
}
