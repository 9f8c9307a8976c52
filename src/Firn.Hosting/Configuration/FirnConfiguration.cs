using Firn.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Firn.GenericHost.Configuration;

/// <summary>
/// The <c>Firn</c> configuration section: its registration (binding and validation at start) and the pure functions
/// that merge it with what the code declared. A key present in configuration overrides the code's value; an absent key
/// keeps the code's value, or else Firn's default.
/// </summary>
internal static class FirnConfiguration
{
    /// <summary>The name of the section, under the configuration root.</summary>
    public const string SectionName = "Firn";

    private static readonly IConfiguration EmptyConfiguration = new ConfigurationBuilder().Build();

    /// <summary>
    /// Binds <see cref="FirnSettings"/> (<c>IOptions&lt;FirnSettings&gt;</c>) to <paramref name="firnSection"/> and
    /// validates it when the host starts. Idempotent: a second call returns the first call's declarations and ignores
    /// its section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="firnSection">The <c>Firn</c> section (errors name keys by its path).</param>
    /// <returns>Where the caller records what the code declares, for the validation to merge with configuration.</returns>
    public static CodeDeclarations Register(IServiceCollection services, IConfiguration firnSection)
    {
        ArgumentNullException.ThrowIfNull(firnSection);
        return Register(services, _ => firnSection);
    }

    /// <summary>
    /// As <see cref="Register(IServiceCollection, IConfiguration)"/>, with the <c>Firn</c> section of the host's
    /// <see cref="IConfiguration"/> (none registered: an empty section), found when the options are first needed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>Where the caller records what the code declares.</returns>
    public static CodeDeclarations Register(IServiceCollection services) =>
        Register(services, provider => (provider.GetService<IConfiguration>() ?? EmptyConfiguration).GetSection(SectionName));

    private static CodeDeclarations Register(IServiceCollection services, Func<IServiceProvider, IConfiguration> firnSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var service in services)
        {
            if (!service.IsKeyedService && service.ServiceType == typeof(CodeDeclarations) && service.ImplementationInstance is CodeDeclarations registered)
            {
                return registered;
            }
        }

        var code = new CodeDeclarations();
        services.AddSingleton(code);
        services.AddOptions<FirnSettings>()
            .Configure<IServiceProvider>((settings, provider) => SettingsBinder.Bind(firnSection(provider), settings, problems: null))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FirnSettings>>(provider => new FirnSettingsValidator(firnSection(provider), code));
        return code;
    }

    /// <summary>The app's options: each setting present in <paramref name="settings"/>, else the code's.</summary>
    /// <param name="settings">The bound section.</param>
    /// <param name="fromCode">The options the code gave; <see langword="null"/> for the defaults.</param>
    /// <returns>New options; the settings only configuration cannot hold (serializer, logger factory, signals, meter factory) are the code's.</returns>
    /// <exception cref="ArgumentException">A setting is out of its bounds (the validator reports it first, by key).</exception>
    public static FirnAppOptions ToAppOptions(FirnSettings settings, FirnAppOptions? fromCode)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var code = fromCode ?? new FirnAppOptions();
        return new FirnAppOptions
        {
            MainProcessName = settings.MainProcessName ?? code.MainProcessName,
            SocketDirectory = settings.SocketDirectory ?? code.SocketDirectory,
            MaxMessageSize = settings.MaxMessageSize ?? code.MaxMessageSize,
            ChannelSendWindow = settings.ChannelSendWindow ?? code.ChannelSendWindow,
            StartTimeout = settings.StartTimeout ?? code.StartTimeout,
            ShutdownTimeout = settings.ShutdownTimeout ?? code.ShutdownTimeout,
            StopTimeout = settings.StopTimeout ?? code.StopTimeout,
            ShutdownHookTimeout = settings.ShutdownHookTimeout ?? code.ShutdownHookTimeout,
            HandshakeTimeout = settings.HandshakeTimeout ?? code.HandshakeTimeout,
            Serializer = code.Serializer,
            LoggerFactory = code.LoggerFactory,
            HandleSignals = code.HandleSignals,
            StoreMaxKeys = settings.StoreMaxKeys ?? code.StoreMaxKeys,
            StoreMaxBytes = settings.StoreMaxBytes ?? code.StoreMaxBytes,
            CallTimeout = settings.CallTimeout ?? code.CallTimeout,
            MaxCallsInFlight = settings.MaxCallsInFlight ?? code.MaxCallsInFlight,

            // Unset on both sides, the limit stays unset and follows MaxMessageSize, which configuration may have raised.
            ExplicitConnectionBufferLimit = settings.ConnectionBufferLimit ?? code.ExplicitConnectionBufferLimit,
            MaxChannelsPerProcess = settings.MaxChannelsPerProcess ?? code.MaxChannelsPerProcess,
            HeartbeatInterval = settings.HeartbeatInterval ?? code.HeartbeatInterval,
            HeartbeatTimeout = settings.HeartbeatTimeout ?? code.HeartbeatTimeout,
            SocketPollWindow = settings.SocketPollWindow ?? code.SocketPollWindow,
            EnableMetrics = settings.EnableMetrics ?? code.EnableMetrics,
            EnableAdmin = settings.EnableAdmin ?? code.EnableAdmin,
            AdminDirectory = settings.AdminDirectory ?? code.AdminDirectory,
            AppName = settings.AppName ?? code.AppName,
            AdminLogLines = settings.AdminLogLines ?? code.AdminLogLines,
            MeterFactory = code.MeterFactory,
            Backend = code.Backend,
        };
    }

    /// <summary>
    /// One child's options: each setting present in <paramref name="settings"/>, else the code's. Arguments present in
    /// configuration replace the code's; environment variables are merged by name, configuration's winning.
    /// </summary>
    /// <param name="name">The child's name (for the error of settings that contradict each other).</param>
    /// <param name="settings">Its configured settings (<see cref="SettingsFor"/>); <see langword="null"/> when configuration names none.</param>
    /// <param name="fromCode">The options the code gave; <see langword="null"/> for the defaults.</param>
    /// <returns>The options, checked as <c>AddProcess</c> checks them.</returns>
    /// <exception cref="ArgumentException">A setting is out of its bounds, or two contradict each other (the validator reports it first, by key).</exception>
    public static ProcessOptions ToProcessOptions(string name, ProcessSettings? settings, ProcessOptions? fromCode)
    {
        var options = settings is null ? fromCode ?? new ProcessOptions() : MergeProcessOptions(settings, fromCode);
        return ProcessDeclaration.ValidateOptions(name, options);
    }

    /// <summary><see cref="ToProcessOptions"/> without the checks across settings (the validator makes them to name the key).</summary>
    internal static ProcessOptions MergeProcessOptions(ProcessSettings settings, ProcessOptions? fromCode)
    {
        var code = fromCode ?? new ProcessOptions();
        var environment = new Dictionary<string, string>(code.Environment, StringComparer.Ordinal);
        foreach (var (variable, value) in settings.Environment ?? new Dictionary<string, string>())
        {
            environment[variable] = value;
        }

        return new ProcessOptions
        {
            Executable = settings.Executable ?? code.Executable,
            Arguments = settings.Arguments is { } arguments ? [.. arguments] : code.Arguments,
            Environment = environment,
            WorkingDirectory = settings.WorkingDirectory ?? code.WorkingDirectory,
            Restart = settings.Restart ?? code.Restart,
            MaxRestarts = settings.MaxRestarts ?? code.MaxRestarts,
            RestartWindow = settings.RestartWindow ?? code.RestartWindow,
            RestartDelay = settings.RestartDelay ?? code.RestartDelay,
            MaxRestartDelay = settings.MaxRestartDelay ?? code.MaxRestartDelay,
            BackoffResetAfter = settings.BackoffResetAfter ?? code.BackoffResetAfter,
            StopApplicationOnFailure = settings.StopApplicationOnFailure ?? code.StopApplicationOnFailure,
            WaitForReadySignal = settings.WaitForReadySignal ?? code.WaitForReadySignal,
            StartTimeout = settings.StartTimeout ?? code.StartTimeout,
            ShutdownTimeout = settings.ShutdownTimeout ?? code.ShutdownTimeout,
            KillTimeout = settings.KillTimeout ?? code.KillTimeout,
            Output = settings.Output ?? code.Output,
        };
    }

    /// <summary>The configured settings of the child the code names <paramref name="name"/> (configuration keys ignore case), or <see langword="null"/>.</summary>
    /// <param name="settings">The bound section.</param>
    /// <param name="name">The child's name in code.</param>
    /// <returns>Its settings, or <see langword="null"/> when configuration names none.</returns>
    public static ProcessSettings? SettingsFor(FirnSettings settings, string name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Processes.GetValueOrDefault(name);
    }

    /// <summary>
    /// The external commands only configuration declares: every configured process the code does not name that has an
    /// <see cref="ProcessSettings.Executable"/>, in order of name (ordinal), with its options. Declare them after the code's.
    /// </summary>
    /// <param name="settings">The bound section.</param>
    /// <param name="declaredInCode">The names of the children the code declares.</param>
    /// <returns>Each command's name (as configuration spells it) and options.</returns>
    public static IReadOnlyList<(string Name, ProcessOptions Options)> Commands(FirnSettings settings, IEnumerable<string> declaredInCode)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var declared = new HashSet<string>(declaredInCode, StringComparer.OrdinalIgnoreCase);
        return
        [
            .. settings.Processes
                .Where(process => !declared.Contains(process.Key) && !string.IsNullOrEmpty(process.Value.Executable))
                .OrderBy(process => process.Key, StringComparer.Ordinal)
                .Select(process => (process.Key, ToProcessOptions(process.Key, process.Value, fromCode: null))),
        ];
    }
}
