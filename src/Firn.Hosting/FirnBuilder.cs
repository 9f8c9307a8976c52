using Firn.GenericHost.Configuration;
using Firn.GenericHost.DependencyInjection;
using Firn.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Firn;

/// <summary>
/// Declares a Firn application on a host's services: its options and its children. The same calls run in every
/// process of the application (the main process and each child run the same <c>Program.cs</c>); what they register
/// depends on the role, see <see cref="FirnHostingExtensions.AddFirn(IServiceCollection, Action{FirnBuilder}?)"/>.
/// </summary>
public sealed class FirnBuilder
{
    private readonly List<ProcessRegistration> _processes = [];
    private readonly ChildEnvironment? _child;
    private readonly CodeDeclarations _code;
    private FirnAppOptions? _options;

    internal FirnBuilder(IServiceCollection services, ChildEnvironment? child, CodeDeclarations code)
    {
        Services = services;
        _child = child;
        _code = code;
    }

    /// <summary>The host's services (the same collection in every process; registrations made here run in every process).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Whether this process is the main process (read from the environment the main process gives its children).</summary>
    public bool IsMainProcess => _child is null;

    /// <summary>
    /// This process's name: the child's name in a child; in the main process, <see cref="FirnAppOptions.MainProcessName"/>
    /// of the options given to <see cref="UseOptions(FirnAppOptions)"/> (default <c>main</c>; with a factory, known only once it runs).
    /// </summary>
    public string ProcessName => _child?.ProcessName ?? _options?.MainProcessName ?? "main";

    internal IReadOnlyList<ProcessRegistration> Processes => _processes;

    internal Func<IServiceProvider, FirnAppOptions>? OptionsFactory { get; private set; }

    /// <summary>Where the main process keeps the state its features share (set by Firn.Redis's <c>UseRedis</c>); applied over the options however they were given.</summary>
    internal IFirnBackend? Backend { get; set; }

    /// <summary>Sets the app's options (in every process). <see cref="FirnAppOptions.LoggerFactory"/>, if left unset, is the host's.</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    public FirnBuilder UseOptions(FirnAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _code.AppOptions = options;
        OptionsFactory = _ => options;
        return this;
    }

    /// <summary>Sets the app's options from the host's services, when the app is created (in every process).</summary>
    /// <param name="options">Makes the options.</param>
    /// <returns>This builder.</returns>
    public FirnBuilder UseOptions(Func<IServiceProvider, FirnAppOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = null;
        _code.AppOptions = null;
        OptionsFactory = options;
        return this;
    }

    /// <summary>
    /// Declares a child whose entry is <typeparamref name="TProcess"/>. Every process records the declaration; only in the
    /// child named <paramref name="name"/> is <typeparamref name="TProcess"/> registered (a singleton) and
    /// <paramref name="configureServices"/> run, so that child's services exist nowhere else.
    /// </summary>
    /// <typeparam name="TProcess">The entry, resolved from the child's container.</typeparam>
    /// <param name="name">A unique name: ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="options">How to launch and stop it.</param>
    /// <param name="configureServices">Registers services of this child only.</param>
    /// <returns>This builder.</returns>
    public FirnBuilder AddProcess<TProcess>(string name, ProcessOptions? options = null, Action<IServiceCollection>? configureServices = null)
        where TProcess : class, IFirnProcess
    {
        Declare(name, options ?? new ProcessOptions(), static services => context => services.GetRequiredService<TProcess>().RunAsync(context, context.Stopping));
        if (IsThisChild(name))
        {
            Services.TryAddSingleton<TProcess>();
            configureServices?.Invoke(Services);
        }

        return this;
    }

    /// <summary>Declares a child whose entry is <paramref name="entry"/> (as <see cref="FirnApp.AddProcess(string, Func{FirnProcessContext, Task}, ProcessOptions?)"/>); it runs only in that child.</summary>
    /// <param name="name">A unique name.</param>
    /// <param name="entry">What the child runs; it should return soon after <see cref="FirnProcessContext.Stopping"/> fires.</param>
    /// <param name="options">How to launch and stop it.</param>
    /// <returns>This builder.</returns>
    public FirnBuilder AddProcess(string name, Func<FirnProcessContext, Task> entry, ProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Declare(name, options ?? new ProcessOptions(), _ => entry);
        return this;
    }

    /// <summary>Declares a child that is another program, started with <see cref="ProcessOptions.Executable"/> (as <see cref="FirnApp.AddProcess(string, ProcessOptions)"/>).</summary>
    /// <param name="name">A unique name.</param>
    /// <param name="options">The command to run and how to stop it.</param>
    /// <returns>This builder.</returns>
    public FirnBuilder AddCommand(string name, ProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Executable is null)
        {
            throw new ArgumentException("A command needs ProcessOptions.Executable.", nameof(options));
        }

        Declare(name, options, entry: null);
        return this;
    }

    /// <summary>Whether this process is the child named <paramref name="name"/>.</summary>
    private bool IsThisChild(string name) => string.Equals(_child?.ProcessName, name, StringComparison.Ordinal);

    private void Declare(string name, ProcessOptions options, Func<IServiceProvider, Func<FirnProcessContext, Task>>? entry)
    {
        // The main process's name is checked again when the app is created (the options may come from a factory).
        ProcessDeclaration.ValidateName(name, _options?.MainProcessName ?? "main");
        if (_processes.Exists(p => string.Equals(p.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A process named '{name}' is already declared.", nameof(name));
        }

        _processes.Add(new ProcessRegistration(name, options, entry));
        _code.Processes[name] = options;
    }
}
