using Firn.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        var options = AppOptions(services, builder).ForHost(services.GetRequiredService<ILoggerFactory>());
        var app = new FirnApp(options, () => child);
        foreach (var process in builder.Processes)
        {
            var processOptions = ProcessOptionsOf(services, process);
            if (process.Entry is { } entry)
            {
                app.AddProcess(process.Name, entry(services), processOptions);
            }
            else
            {
                app.AddProcess(process.Name, processOptions);
            }
        }

        return app;
    }

    /// <summary>
    /// The one place the app's options are produced, in every process: what <see cref="FirnBuilder.UseOptions(FirnAppOptions)"/>
    /// gave, or the defaults with <see cref="DefaultStopTimeout"/>. (Configuration binding plugs in here.)
    /// </summary>
    public static FirnAppOptions AppOptions(IServiceProvider services, FirnBuilder builder) =>
        builder.OptionsFactory?.Invoke(services) ?? new FirnAppOptions { StopTimeout = DefaultStopTimeout };

    /// <summary>The one place a declared child's options are produced, in every process. (Configuration binding plugs in here.)</summary>
    public static ProcessOptions ProcessOptionsOf(IServiceProvider services, ProcessRegistration process)
    {
        _ = services;
        return process.Options;
    }
}
