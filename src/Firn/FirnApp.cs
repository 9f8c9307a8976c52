using Firn.Channels;
using Firn.Diagnostics;
using Firn.Failures;
using Firn.Hosting;
using Firn.Meters;
using Microsoft.Extensions.Logging;

namespace Firn;

/// <summary>
/// A Firn application: one main process and its child processes, built from one program. Create it at the
/// top of <c>Main</c>, declare children with <see cref="AddProcess(string, Func{FirnProcessContext, Task}, ProcessOptions?)"/>,
/// then <c>return await app.RunAsync();</c>. The main process starts every child by re-launching this program;
/// in a child, the same code runs that child's entry instead.
/// </summary>
public sealed partial class FirnApp : IAsyncDisposable
{
    private static FirnApp? s_current;

    private readonly ChildEnvironment? _child;
    private readonly List<ProcessDeclaration> _declarations = [];
    private readonly Dictionary<string, Func<FirnProcessContext, Task>> _entries = new(StringComparer.Ordinal);
    private readonly ChannelRegistry _channels;
    private readonly bool _ownsLoggerFactory;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the app; whether this process is the main process or a child is read from the environment the main process sets.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    public FirnApp(FirnAppOptions? options = null)
        : this(options, ChildEnvironment.FromCurrentProcess)
    {
    }

    /// <summary>
    /// Creates the app with the role <paramref name="childEnvironment"/> gives (read after the options are checked):
    /// the public constructor reads the process's environment; tests host a child in their own process with this.
    /// </summary>
    internal FirnApp(FirnAppOptions? options, Func<ChildEnvironment?> childEnvironment)
    {
        Options = options ?? new FirnAppOptions();
        if (Options.HeartbeatTimeoutTooShort)
        {
            throw new ArgumentException(
                $"FirnAppOptions.HeartbeatTimeout ({Options.HeartbeatTimeout}) must be longer than HeartbeatInterval ({Options.HeartbeatInterval}), or a child would be killed between two pings.",
                nameof(options));
        }

        if (Options.ConnectionBufferLimit < Options.MinConnectionBufferLimit)
        {
            throw new ArgumentException(
                $"FirnAppOptions.ConnectionBufferLimit ({Options.ConnectionBufferLimit}) must hold at least one frame of the largest message (MaxMessageSize {Options.MaxMessageSize} plus {Transport.FrameFormat.EnvelopeAllowance + Transport.FrameFormat.HeaderSize}).",
                nameof(options));
        }

        _child = childEnvironment();
        ProcessName = _child?.ProcessName ?? Options.MainProcessName;
        _ownsLoggerFactory = Options.LoggerFactory is null;
        LoggerFactory = Options.LoggerFactory ?? FirnConsole.CreateFactory(ProcessName);
        if (_child is null && Options.EnableAdmin)
        {
            // Before any logger is made: Firn's own factory gives a provider added later only to loggers made after it.
            CaptureLogsForAdmin();
        }

        Logger = LoggerFactory.CreateLogger("Firn");
        MessageLimit = new Channels.MessageSizeLimit(Options.MaxMessageSize);
        Metrics = Options.EnableMetrics ? FirnMetrics.Create(Options.MeterFactory, ProcessName) : FirnMetrics.Disabled;
        _channels = new ChannelRegistry(Options.Serializer, MessageLimit, LoggerFactory, Options.StartTimeout, Options.ConnectionBufferLimit, Metrics);
        if (_child is null)
        {
            Supervisor = new FirnSupervisor(this);
            InitializeMainChannels();
            InitializeMainStorage();
            Metrics.ObserveProcesses(SampleProcesses);
        }

        InitializeRpc();
        s_current = this;
    }

    /// <summary>The largest message this process sends: <see cref="FirnAppOptions.MaxMessageSize"/>, or the main process's limit in a child when that is smaller.</summary>
    internal Channels.MessageSizeLimit MessageLimit { get; }

    /// <summary>This app's instruments (a meter of its own, or <see cref="FirnMetrics.Disabled"/>).</summary>
    internal FirnMetrics Metrics { get; }

    /// <summary>The app created most recently in this process (the process-wide singleton of the seed).</summary>
    public static FirnApp Current => s_current ?? throw new InvalidOperationException("No FirnApp has been created in this process.");

    /// <summary>
    /// Whether this process was started by a Firn main process as one of its children. It reads the environment without
    /// consuming anything, so a program can pick its host before creating the app: for example, a web application's
    /// children build a plain host instead of a web server.
    /// </summary>
    public static bool RunsAsChild => ChildEnvironment.IsChild;

    /// <summary>The settings.</summary>
    public FirnAppOptions Options { get; }

    /// <summary>Whether this process is the main process.</summary>
    public bool IsMainProcess => _child is null;

    /// <summary>
    /// The main process's handle on its children (start, stop, restart, status, state changes); <see langword="null"/>
    /// in a child, which talks to the main process through the <see cref="FirnProcessContext"/> its entry receives.
    /// </summary>
    public FirnSupervisor? Supervisor { get; }

    /// <summary>This process's name: <see cref="FirnAppOptions.MainProcessName"/> in the main process, the child's name in a child.</summary>
    public string ProcessName { get; }

    /// <summary>The logger factory (the default one writes time, level and process name).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>A general-purpose logger of this process.</summary>
    public ILogger Logger { get; }

    /// <summary>Fires when the app (or, in a child, this child) begins to stop.</summary>
    public CancellationToken Stopping => _child is null ? _stopping.Token : _childHost?.Stopping ?? _stopping.Token;

    /// <summary>
    /// Declares a child process whose entry is <paramref name="entry"/>. In the main process this only records it;
    /// <see cref="FirnSupervisor.StartAsync"/> starts it. In the child of that name, <see cref="RunAsync"/> runs the entry.
    /// </summary>
    /// <param name="name">A unique name: ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="entry">What the child runs; it should return soon after <see cref="FirnProcessContext.Stopping"/> fires.</param>
    /// <param name="options">How to launch and stop it.</param>
    /// <returns>This app, for chaining.</returns>
    public FirnApp AddProcess(string name, Func<FirnProcessContext, Task> entry, ProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Declare(new ProcessDeclaration(name, options ?? new ProcessOptions()), entry);
    }

    /// <summary>Declares a child process with a synchronous entry.</summary>
    /// <param name="name">A unique name.</param>
    /// <param name="entry">What the child runs.</param>
    /// <param name="options">How to launch and stop it.</param>
    /// <returns>This app, for chaining.</returns>
    public FirnApp AddProcess(string name, Action<FirnProcessContext> entry, ProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return AddProcess(name, context => Task.Run(() => entry(context)), options);
    }

    /// <summary>Declares a child process that is another Firn program, started with <see cref="ProcessOptions.Executable"/>.</summary>
    /// <param name="name">A unique name; the other program must declare a process of this name.</param>
    /// <param name="options">The command to run and how to stop it.</param>
    /// <returns>This app, for chaining.</returns>
    public FirnApp AddProcess(string name, ProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Executable is null)
        {
            throw new ArgumentException("A process without an entry needs ProcessOptions.Executable.", nameof(options));
        }

        return Declare(new ProcessDeclaration(name, options), entry: null);
    }

    /// <summary>
    /// Returns the channel named <paramref name="name"/>, creating it on first use anywhere in the app.
    /// The first use fixes its message type; another type fails with <see cref="ChannelTypeMismatchException"/>.
    /// In the main process it works from construction on; in a child, from its entry.
    /// </summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="name">The channel's name.</param>
    /// <param name="options">This process's settings for the channel, used the first time this process obtains it.</param>
    /// <returns>The channel (the same object on every call in this process).</returns>
    /// <exception cref="ChannelTypeMismatchException">The channel exists with another type; the message names both.</exception>
    /// <exception cref="FirnDisconnectedException">In a child: the connection to the main process is closed.</exception>
    public Channel<T> GetChannel<T>(string name, ChannelOptions? options = null) => _channels.Get<T>(name, options);

    /// <summary>Starts the app and runs until it is stopped (Ctrl+C, SIGTERM, <see cref="RequestStop"/>, or a child's request); in a child, runs its entry.</summary>
    /// <param name="cancellationToken">Stops the app when it fires.</param>
    /// <returns>The process exit code: 0 after a graceful stop.</returns>
    public Task<int> RunAsync(CancellationToken cancellationToken = default) =>
        _child is null ? RunMainAsync(cancellationToken) : RunChildAsync(_child, cancellationToken);

    /// <summary>Asks the app to stop; <see cref="RunAsync"/> then stops every child and returns.</summary>
    public void RequestStop()
    {
        if (_child is null)
        {
            OnStopRequested();
        }
        else
        {
            _childHost?.SendControl(ControlRequest.StopApplication);
        }
    }

    /// <summary>
    /// Waits until everything this process has sent so far (messages, publications, calls) has reached the main process:
    /// in the main process at once (its sends go straight into the router); in a child, once the main process has read
    /// and handled every frame sent before this call (a round trip), after which nothing that happens to this child, not
    /// even SIGKILL the next instant, can lose them. A child's <c>Send</c> returns as soon as the message is queued; every
    /// exit that runs managed code (the entry returning or throwing, a stop, <see cref="Environment.Exit(int)"/>, an
    /// unhandled exception) waits for this itself, so call it where SIGKILL or a native crash must not lose what was sent.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when everything sent so far has reached the main process.</returns>
    /// <exception cref="FirnDisconnectedException">The connection to the main process closed first.</exception>
    /// <exception cref="TimeoutException">The main process did not answer within <see cref="FirnAppOptions.CallTimeout"/>.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_child is null)
        {
            return;
        }

        var store = _childStore ?? throw new InvalidOperationException("This child has not connected to the main process yet.");
        try
        {
            // A read of a key nobody writes: the main process answers it only after handling every frame sent before it.
            await store.ExecuteAsync(new Storage.StoreRequest(Storage.StoreOperation.Get, BarrierKey), cancellationToken).ConfigureAwait(false);
        }
        catch (FirnDisconnectedException ex)
        {
            throw FirnErrors.FlushFailed(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_child is null)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _admin?.Dispose();
        _adminLogProvider?.Dispose();
        _stopping.Dispose();
        _stopDeadline.Dispose();
        _rpcPending.Dispose();
        _childStore?.Dispose();
        await DisconnectBackendAsync().ConfigureAwait(false);
        Metrics.Dispose();
        if (_ownsLoggerFactory)
        {
            LoggerFactory.Dispose();
        }
    }

    private FirnApp Declare(ProcessDeclaration declaration, Func<FirnProcessContext, Task>? entry)
    {
        ProcessDeclaration.ValidateName(declaration.Name, Options.MainProcessName);
        lock (_declarations)
        {
            if (FindDeclarationLocked(declaration.Name) is not null)
            {
                throw new ArgumentException($"A process named '{declaration.Name}' is already declared.", nameof(declaration));
            }

            _declarations.Add(declaration);
            if (entry is not null)
            {
                _entries.Add(declaration.Name, entry);
            }
        }

        return this;
    }

    private static string ActiveName(string process) => ChannelNames.Active(process);

    private static string PassiveName(string process) => ChannelNames.Passive(process);
}
